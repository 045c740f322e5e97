import { makeDeleteCommand } from '../../resource-commands.js';
import { CONNECTION } from '../../resources.js';

export default makeDeleteCommand(CONNECTION);
