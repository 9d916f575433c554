complete --keep-order --exclusive --command incident --arguments "(INCIDENT_COMPLETE=fish incident -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
