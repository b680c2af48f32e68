/** An app module that cannot be imported: the gateway must stop with exit 4 and say why. */
throw new Error('fixture: this app fails at import time');
