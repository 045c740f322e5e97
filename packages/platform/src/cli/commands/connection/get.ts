import { makeGetCommand } from '../../resource-commands.js';
import { CONNECTION } from '../../resources.js';

export default makeGetCommand(CONNECTION, { decrypted: true });
