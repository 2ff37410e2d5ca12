### report: the HTML report of runs (gan/report.h, `ganrun report`): the
### page (report.c), the networks drawn as inline SVG (graph.c)
libgan_la_SOURCES += src/report/report.h src/report/report.c src/report/graph.c
pkginclude_HEADERS += include/gan/report.h
