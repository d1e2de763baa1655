/* convert.c - the conversion driver and output formats (see convert.h). */
#include "convert.h"

#include <stdlib.h>
#include <string.h>

#include "render.h"

static void sg_push_item(sg_convert_result *res, sg_converted c) {
    res->items = sg_xrealloc(res->items, (res->count + 1) * sizeof *res->items);
    res->items[res->count++] = c;
}

static void sg_push_skipped(sg_convert_result *res, const sg_rule *r) {
    res->skipped = sg_xrealloc(res->skipped, (res->n_skipped + 1) * sizeof *res->skipped);
    res->skipped[res->n_skipped++] = r;
}

void sg_convert(sg_ruleset *rs, const sg_backend *be, sg_pipeline *const *pipes, size_t n_pipes,
                sg_pipeline *const *known, size_t n_known, sg_convert_result *out) {
    memset(out, 0, sizeof *out);
    sg_buf b;
    sg_buf_init(&b);
    for (size_t i = 0; i < rs->n_rules; i++) {
        sg_rule *r = rs->rules[i];
        if (r->kind == SG_RULE_FILTER || r->ir->suppressed) continue;
        if (r->has_errors || (!r->ir->expr && r->kind == SG_RULE_DETECTION) ||
            (r->kind == SG_RULE_CORRELATION && !r->ir->agg)) {
            sg_push_skipped(out, r);
            continue;
        }
        size_t from = rs->diags->count;
        sg_ir_rule *ir = sg_pipeline_apply(rs, r, r->ir, pipes, n_pipes, known, n_known);
        sg_buf_reset(&b);
        if (!ir || be->emit_rule(rs->diags, ir, &b) != 0) {
            sg_diags_tag_rule(rs->diags, from, r->ir->meta.id);
            sg_push_skipped(out, r);
            continue;
        }
        sg_push_item(out, (sg_converted){r, ir, sg_buf_to_str(&b, rs->arena)});
    }
    sg_buf_free(&b);
}

void sg_convert_result_free(sg_convert_result *res) {
    free(res->items);
    free(res->skipped);
    memset(res, 0, sizeof *res);
}

bool sg_out_format_parse(const char *name, sg_out_format *out) {
    if (strcmp(name, "default") == 0) *out = SG_OUT_DEFAULT;
    else if (strcmp(name, "json") == 0) *out = SG_OUT_JSON;
    else return false;
    return true;
}

/* The header every query carries: id, title, level and path:line, each a
 * comment line made safe by the backend's own comment function. */
static void sg_header(const sg_backend *be, const sg_converted *c, sg_buf *out) {
    const sg_ir_meta *m = &c->rule->ir->meta;
    sg_buf line;
    sg_buf_init(&line);
    sg_buf_add_cstr(&line, "id: ");
    sg_buf_add_str(&line, m->id.len ? m->id : (sg_str){"(none)", 6});
    be->emit_comment(out, (sg_str){line.data, line.len});
    sg_buf_reset(&line);
    sg_buf_add_cstr(&line, "title: ");
    sg_buf_add_str(&line, m->title);
    be->emit_comment(out, (sg_str){line.data, line.len});
    if (m->level.len) {
        sg_buf_reset(&line);
        sg_buf_add_cstr(&line, "level: ");
        sg_buf_add_str(&line, m->level);
        be->emit_comment(out, (sg_str){line.data, line.len});
    }
    sg_buf_reset(&line);
    sg_buf_printf(&line, "source: %s:%u", m->file, m->line);
    be->emit_comment(out, (sg_str){line.data, line.len});
    sg_buf_free(&line);
}

void sg_convert_format_one(const sg_backend *be, sg_out_format fmt, const sg_converted *c, sg_buf *out) {
    const sg_ir_meta *m = &c->rule->ir->meta;
    if (fmt == SG_OUT_JSON) {
        sg_buf_add_cstr(out, "{\"id\": ");
        sg_json_add_string(out, m->id.ptr ? m->id.ptr : "", m->id.len);
        sg_buf_add_cstr(out, ", \"title\": ");
        sg_json_add_string(out, m->title.ptr ? m->title.ptr : "", m->title.len);
        sg_buf_add_cstr(out, ", \"level\": ");
        sg_json_add_string(out, m->level.ptr ? m->level.ptr : "", m->level.len);
        sg_buf_add_cstr(out, ", \"query\": ");
        sg_json_add_string(out, c->query.ptr, c->query.len);
        sg_buf_printf(out, ", \"source\": ");
        sg_buf src;
        sg_buf_init(&src);
        sg_buf_printf(&src, "%s:%u", m->file, m->line);
        sg_json_add_string(out, src.data, src.len);
        sg_buf_free(&src);
        sg_buf_add_cstr(out, "}");
        return;
    }
    sg_header(be, c, out);
    sg_buf_add_str(out, c->query);
    if (!c->query.len || c->query.ptr[c->query.len - 1] != '\n') sg_buf_add_byte(out, '\n');
}

void sg_convert_format_all(const sg_backend *be, sg_out_format fmt, const sg_convert_result *res, sg_buf *out) {
    if (fmt == SG_OUT_JSON) sg_buf_add_cstr(out, "[\n");
    for (size_t i = 0; i < res->count; i++) {
        if (fmt == SG_OUT_JSON) sg_buf_add_cstr(out, "  ");
        sg_convert_format_one(be, fmt, &res->items[i], out);
        if (fmt == SG_OUT_JSON) sg_buf_add_cstr(out, i + 1 < res->count ? ",\n" : "\n");
        else if (i + 1 < res->count) sg_buf_add_byte(out, '\n');
    }
    if (fmt == SG_OUT_JSON) sg_buf_add_cstr(out, "]\n");
}
