import { makeWriteCommand } from '../../resource-commands.js';
import { CONNECTION } from '../../resources.js';

export default makeWriteCommand(CONNECTION, 'create');
