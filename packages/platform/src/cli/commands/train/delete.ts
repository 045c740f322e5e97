import { makeDeleteCommand } from '../../resource-commands.js';
import { TRAINING } from '../../resources.js';

export default makeDeleteCommand(TRAINING);
