import { makeGetCommand } from '../../resource-commands.js';
import { TOOLCHAIN } from '../../resources.js';

export default makeGetCommand(TOOLCHAIN);
