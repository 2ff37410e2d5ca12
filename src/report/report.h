/* report.h - private to src/report. */
#ifndef GAN_REPORT_PRIVATE_H
#define GAN_REPORT_PRIVATE_H

#include <stddef.h>

/* both networks of an expanded model as inline SVG in a <div> (graph.c);
 * NULL when the model does not build */
char *report_graph_html(const char *yaml, size_t len);

#endif
