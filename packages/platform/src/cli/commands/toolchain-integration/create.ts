import { makeWriteCommand } from '../../resource-commands.js';
import { TOOLCHAIN } from '../../resources.js';

export default makeWriteCommand(TOOLCHAIN, 'create');
