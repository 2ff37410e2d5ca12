### report: `ganrun report RUN`: one self-contained HTML page about a run
### (report.c), the networks drawn as inline SVG (graph.c)
ganrun_SOURCES += src/report/report.c src/report/graph.c
