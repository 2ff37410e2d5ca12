### cli: ganrun's subcommands (the only code that prints usage or exits)
ganrun_SOURCES += src/cli/cli.h src/cli/main.c src/cli/common.c src/cli/opts.c src/cli/cmd_train.c src/cli/cmd_check.c \
	src/cli/cmd_sample.c src/cli/cmd_eval.c src/cli/cmd_info.c src/cli/cmd_reproduce.c
ganrun_SOURCES += src/cli/cmd_report.c src/cli/cmd_classify.c src/cli/cmd_interp.c src/cli/cmd_metrics.c
dist_man_MANS += man/ganrun.1
dist_man_MANS += man/ganrun-model.5

### export: ganrun export (ONNX).  cmd_export.c is always built (it says when
### ONNX support is missing); the ONNX writer is in src/export/local.mk.
ganrun_SOURCES += src/cli/cmd_export.c
