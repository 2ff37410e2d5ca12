### cli: ganrun's subcommands (the only code that prints usage or exits)
ganrun_SOURCES += src/cli/cli.h src/cli/main.c src/cli/opts.c src/cli/cmd_train.c src/cli/cmd_tools.c
ganrun_SOURCES += src/cli/cmd_report.c src/cli/report_graph.c src/cli/cmd_classify.c src/cli/cmd_interp.c \
	src/cli/cmd_metrics.c
dist_man_MANS += man/ganrun.1
dist_man_MANS += man/ganrun-model.5

### export: ganrun export (ONNX).  cmd_export.c is always built (it says when
### ONNX support is missing); the ONNX writer and the C code protoc-c
### generates from onnx.proto (libonnx-dev's, at configure time) only with it.
ganrun_SOURCES += src/cli/cmd_export.c
if HAVE_ONNX
ganrun_SOURCES += src/cli/export_onnx.h src/cli/export_onnx.c
nodist_ganrun_SOURCES = src/cli/onnx.pb-c.c src/cli/onnx.pb-c.h
ganrun_LDADD += $(PROTOBUF_C_LIBS)
BUILT_SOURCES += src/cli/onnx.pb-c.c src/cli/onnx.pb-c.h
MOSTLYCLEANFILES += src/cli/onnx.pb-c.c src/cli/onnx.pb-c.h
src/cli/onnx.pb-c.h: src/cli/onnx.pb-c.c
src/cli/onnx.pb-c.c: $(ONNX_PROTO)
	$(AM_V_GEN)$(MKDIR_P) src/cli && $(PROTOC_C) --proto_path=$(ONNX_PROTO_DIR) --c_out=src/cli $(ONNX_PROTO)
endif
