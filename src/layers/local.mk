### layers: one file per layer type, registry.c is the table
libgan_la_SOURCES += src/layers/layers.h src/layers/registry.c src/layers/conf.c \
	src/layers/dense.c src/layers/relu.c
