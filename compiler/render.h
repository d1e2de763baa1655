/* render.h - writes a diagnostics list in the formats `sigc check` offers.
 *
 *   text    file:line:col: severity[check-id]: message   (col/line omitted when 0)
 *   json    one JSON array of {file, line, column, severity, check, message, rule_id}
 *   sarif   SARIF 2.1.0, one run, one reporting rule per check id (GitHub code scanning)
 *   github  GitHub Actions workflow commands (::error file=...,line=...,col=...,title=...::msg)
 */
#ifndef SG_RENDER_H
#define SG_RENDER_H

#include <stdio.h>

#include "diag.h"

typedef enum sg_report_format {
    SG_REPORT_TEXT,
    SG_REPORT_JSON,
    SG_REPORT_SARIF,
    SG_REPORT_GITHUB,
} sg_report_format;

typedef struct sg_report_opts {
    bool color;               /* ANSI colours in text output */
    const char *tool_version; /* e.g. "0.1.0" */
} sg_report_opts;

bool sg_report_format_parse(const char *name, sg_report_format *out);
/* Writes every diagnostic of d (in list order) to out.  Returns 0, or -1 on
 * a write error (ferror). */
int sg_report_write(FILE *out, const sg_diags *d, sg_report_format fmt, const sg_report_opts *opts);
/* Appends s as a JSON string literal (with quotes), escaping ", \, and
 * U+0000-U+001F; invalid UTF-8 bytes become U+FFFD. */
void sg_json_add_string(sg_buf *b, const char *s, size_t len);

#endif
