### cli: ganrun's subcommands (the only code that prints usage or exits)
ganrun_SOURCES += src/cli/main.c
