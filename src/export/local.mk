### export: a network as an ONNX model (gan/export.h, `ganrun export`).
### The ONNX writer and the C code protoc-c generates from onnx.proto
### (libonnx-dev's, at configure time) with ONNX support; without it,
### none.c says so.
pkginclude_HEADERS += include/gan/export.h
if HAVE_ONNX
libgan_la_SOURCES += src/export/onnx.h src/export/onnx.c
nodist_libgan_la_SOURCES = src/export/onnx.pb-c.c src/export/onnx.pb-c.h
libgan_la_LIBADD += $(PROTOBUF_C_LIBS)
BUILT_SOURCES += src/export/onnx.pb-c.c src/export/onnx.pb-c.h
MOSTLYCLEANFILES += src/export/onnx.pb-c.c src/export/onnx.pb-c.h
src/export/onnx.pb-c.h: src/export/onnx.pb-c.c
src/export/onnx.pb-c.c: $(ONNX_PROTO)
	$(AM_V_GEN)$(MKDIR_P) src/export && $(PROTOC_C) --proto_path=$(ONNX_PROTO_DIR) --c_out=src/export $(ONNX_PROTO)
else
libgan_la_SOURCES += src/export/none.c
EXTRA_DIST += src/export/onnx.h src/export/onnx.c
endif
