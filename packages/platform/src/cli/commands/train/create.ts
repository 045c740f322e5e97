import { makeWriteCommand } from '../../resource-commands.js';
import { TRAINING } from '../../resources.js';

export default makeWriteCommand(TRAINING, 'create');
