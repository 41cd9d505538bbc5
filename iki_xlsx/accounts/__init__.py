"""People and what they may do: accounts with a slow password hash, roles per office, web
sessions that end, login limits, API tokens. The records are the store's (`store.accounts`);
the rules are here; the faces (the `akun` command, the web app) call them through the service."""
