import { makeGetCommand } from '../../resource-commands.js';
import { TRAINING } from '../../resources.js';

export default makeGetCommand(TRAINING, { filters: true });
