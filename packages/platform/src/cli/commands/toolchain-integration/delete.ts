import { makeDeleteCommand } from '../../resource-commands.js';
import { TOOLCHAIN } from '../../resources.js';

export default makeDeleteCommand(TOOLCHAIN);
