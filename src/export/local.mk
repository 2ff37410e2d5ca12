### export: a network as an ONNX model (ganrun export, src/cli/cmd_export.c).
### The ONNX writer and the C code protoc-c generates from onnx.proto
### (libonnx-dev's, at configure time) are built only with ONNX support.
if HAVE_ONNX
ganrun_SOURCES += src/export/onnx.h src/export/onnx.c
nodist_ganrun_SOURCES = src/export/onnx.pb-c.c src/export/onnx.pb-c.h
ganrun_LDADD += $(PROTOBUF_C_LIBS)
BUILT_SOURCES += src/export/onnx.pb-c.c src/export/onnx.pb-c.h
MOSTLYCLEANFILES += src/export/onnx.pb-c.c src/export/onnx.pb-c.h
src/export/onnx.pb-c.h: src/export/onnx.pb-c.c
src/export/onnx.pb-c.c: $(ONNX_PROTO)
	$(AM_V_GEN)$(MKDIR_P) src/export && $(PROTOC_C) --proto_path=$(ONNX_PROTO_DIR) --c_out=src/export $(ONNX_PROTO)
endif
