/* convert.c - the conversion driver and output formats (see convert.h). */
#include "convert.h"

#include <stdlib.h>
#include <string.h>

#include "render.h"

#include <yaml.h>

static void sg_push_item(sg_convert_result *res, sg_converted c) {
    res->items = sg_xrealloc(res->items, (res->count + 1) * sizeof *res->items);
    res->items[res->count++] = c;
}

static void sg_push_skipped(sg_convert_result *res, const sg_rule *r) {
    res->skipped = sg_xrealloc(res->skipped, (res->n_skipped + 1) * sizeof *res->skipped);
    res->skipped[res->n_skipped++] = r;
}

/* index= / sourcetype= become ordinary equality predicates in front. */
static sg_ir_expr *sg_option_conditions(sg_arena *a, const sg_convert_opts *o, sg_ir_expr *e) {
    sg_ir_expr *kids[3];
    size_t n = 0;
    const sg_str vals[2] = {o->index, o->sourcetype};
    const char *names[2] = {"index", "sourcetype"};
    for (int k = 0; k < 2; k++) {
        if (!vals[k].len) continue;
        sg_ir_pred *p = SG_NEW(a, sg_ir_pred);
        p->field = sg_str_from_cstr(names[k]);
        p->op = SG_OP_EQ;
        p->vtype = SG_VT_STRING;
        p->text = vals[k];
        p->pattern = sg_sstr_literal(a, vals[k]);
        kids[n++] = sg_ir_new_pred(a, p);
    }
    if (!n || !e) return e;
    kids[n++] = e;
    return sg_ir_new_nary(a, SG_IR_AND, kids, n, e->line, e->col);
}

static void sg_apply_options(sg_arena *a, const sg_convert_opts *o, sg_ir_rule *ir) {
    if (!o) return;
    if (!ir->table.len && o->table.len) ir->table = o->table;
    if (ir->kind != SG_RULE_CORRELATION) {
        ir->expr = sg_option_conditions(a, o, ir->expr);
        return;
    }
    for (size_t j = 0; ir->agg && j < ir->agg->n_rules; j++) {
        sg_ir_rule *sub = SG_NEW(a, sg_ir_rule);
        *sub = *ir->agg->rules[j];
        if (!sub->table.len && o->table.len) sub->table = o->table;
        sub->expr = sg_option_conditions(a, o, sub->expr);
        ir->agg->rules[j] = sub;
    }
}

void sg_convert(sg_ruleset *rs, const sg_backend *be, sg_pipeline *const *pipes, size_t n_pipes,
                sg_pipeline *const *known, size_t n_known, const sg_convert_opts *opts, sg_convert_result *out) {
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
        if (ir) sg_apply_options(rs->arena, opts, ir);
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
    else if (strcmp(name, "savedsearches") == 0) *out = SG_OUT_SAVEDSEARCHES;
    else if (strcmp(name, "sentinel") == 0) *out = SG_OUT_SENTINEL;
    else return false;
    return true;
}

const char *sg_out_format_target(sg_out_format fmt) {
    return fmt == SG_OUT_SAVEDSEARCHES ? "spl" : fmt == SG_OUT_SENTINEL ? "kql" : NULL;
}

const char *sg_out_format_ext(const sg_backend *be, sg_out_format fmt) {
    switch (fmt) {
    case SG_OUT_JSON: return ".json";
    case SG_OUT_SAVEDSEARCHES: return ".conf";
    case SG_OUT_SENTINEL: return ".yaml";
    default: return be->file_ext;
    }
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

static void sg_json_item(const sg_converted *c, sg_buf *out) {
    const sg_ir_meta *m = &c->rule->ir->meta;
    sg_buf_add_cstr(out, "{\"id\": ");
    sg_json_add_string(out, m->id.ptr ? m->id.ptr : "", m->id.len);
    sg_buf_add_cstr(out, ", \"title\": ");
    sg_json_add_string(out, m->title.ptr ? m->title.ptr : "", m->title.len);
    sg_buf_add_cstr(out, ", \"level\": ");
    sg_json_add_string(out, m->level.ptr ? m->level.ptr : "", m->level.len);
    sg_buf_add_cstr(out, ", \"query\": ");
    sg_json_add_string(out, c->query.ptr, c->query.len);
    sg_buf_add_cstr(out, ", \"source\": ");
    sg_buf src;
    sg_buf_init(&src);
    sg_buf_printf(&src, "%s:%u", m->file, m->line);
    sg_json_add_string(out, src.data, src.len);
    sg_buf_free(&src);
    sg_buf_add_cstr(out, "}");
}

/* ---- Splunk savedsearches.conf ----
 * A stanza per rule: [<title> - <id>] (the id keeps stanzas of equal titles
 * apart; brackets, line breaks and control characters are dropped from the
 * name, the one context Splunk gives no escape for).  Values continue over
 * lines with a trailing backslash. */

static void sg_conf_stanza_name(sg_buf *out, sg_str title, sg_str id) {
    sg_buf_add_byte(out, '[');
    sg_str parts[2] = {title, id};
    for (int k = 0; k < 2; k++) {
        if (k && id.len) sg_buf_add_cstr(out, " - ");
        else if (k) break;
        for (size_t i = 0; i < parts[k].len; i++) {
            unsigned char ch = (unsigned char)parts[k].ptr[i];
            if (ch == '[' || ch == ']' || ch < 0x20 || ch == 0x7f) continue;
            sg_buf_add_byte(out, (char)ch);
        }
    }
    sg_buf_add_cstr(out, "]\n");
}

/* key = value, every line break of value continued with " \".  A line
 * that itself ends in a backslash would swallow the break: refused. */
static bool sg_conf_value(sg_buf *out, const char *key, sg_str v) {
    sg_buf_printf(out, "%s = ", key);
    size_t start = 0;
    for (size_t i = 0; i <= v.len; i++) {
        if (i < v.len && v.ptr[i] != '\n') continue;
        size_t end = i;
        if (end > start && v.ptr[end - 1] == '\r') end--;
        if (end > start && v.ptr[end - 1] == '\\') return false;
        for (size_t j = start; j < end; j++) {
            unsigned char ch = (unsigned char)v.ptr[j];
            if (ch < 0x20 && ch != '\t') return false;
        }
        sg_buf_add(out, v.ptr + start, end - start);
        if (i < v.len && i + 1 < v.len) sg_buf_add_cstr(out, " \\\n");
        start = i + 1;
    }
    sg_buf_add_byte(out, '\n');
    return true;
}

static int sg_savedsearch(const sg_converted *c, sg_diags *d, sg_buf *out) {
    const sg_ir_meta *m = &c->rule->ir->meta;
    sg_buf st;
    sg_buf_init(&st);
    sg_conf_stanza_name(&st, m->title, m->id);
    bool ok = true;
    if (m->description.len) ok &= sg_conf_value(&st, "description", m->description);
    ok &= sg_conf_value(&st, "search", c->query);
    if (!ok) {
        sg_diag_add(d, SG_D_UNSUPPORTED, (sg_loc){m->file, m->line, 1},
                    "the query or description has a line ending in a backslash or a control character, which "
                    "savedsearches.conf cannot hold");
        sg_buf_free(&st);
        return -1;
    }
    sg_buf_add(out, st.data, st.len);
    sg_buf_free(&st);
    return 0;
}

/* ---- Microsoft Sentinel analytic rule (YAML, through libyaml's emitter) ---- */

static int sg_yaml_write(void *data, unsigned char *buffer, size_t size) {
    sg_buf_add((sg_buf *)data, buffer, size);
    return 1;
}

static bool sg_emit(yaml_emitter_t *em, yaml_event_t *ev) { return yaml_emitter_emit(em, ev) != 0; }

/* How a scalar is written: as libyaml picks (keys and sigc's own values,
 * such as the number 0 of triggerThreshold), as rule text (never plain:
 * libyaml's emitter has no resolver, so it would write `null`, `yes`, `123`,
 * `2024-01-01` or an empty string plain, and a reader gets another type
 * back), or as the query's literal block. */
typedef enum { SG_YAML_FIXED, SG_YAML_TEXT, SG_YAML_BLOCK } sg_yaml_style;

static bool sg_emit_scalar(yaml_emitter_t *em, const char *s, size_t len, sg_yaml_style style) {
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)(uintptr_t)s, (int)len, style != SG_YAML_TEXT, 1,
                                 style == SG_YAML_BLOCK ? YAML_LITERAL_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
    return sg_emit(em, &ev);
}

static bool sg_emit_kv(yaml_emitter_t *em, const char *key, const char *v, size_t len, sg_yaml_style style) {
    return sg_emit_scalar(em, key, strlen(key), SG_YAML_FIXED) && sg_emit_scalar(em, v, len, style);
}

static const char *sg_sentinel_severity(sg_str level) {
    if (sg_str_eq_cstr(level, "critical") || sg_str_eq_cstr(level, "high")) return "High";
    if (sg_str_eq_cstr(level, "medium")) return "Medium";
    if (sg_str_eq_cstr(level, "low")) return "Low";
    return "Informational";
}

/* Sentinel's tactic names for ATT&CK tactic tags; stealth and
 * defense-impairment (ATT&CK v19's split of defense-evasion) map back to
 * DefenseEvasion, the tactic Sentinel knows. */
static bool sg_sentinel_tactic(sg_str tag, sg_buf *out) {
    static const char *const tactics[][2] = {
        {"reconnaissance", "Reconnaissance"}, {"resource-development", "ResourceDevelopment"},
        {"initial-access", "InitialAccess"}, {"execution", "Execution"}, {"persistence", "Persistence"},
        {"privilege-escalation", "PrivilegeEscalation"}, {"defense-evasion", "DefenseEvasion"},
        {"stealth", "DefenseEvasion"}, {"defense-impairment", "DefenseEvasion"},
        {"credential-access", "CredentialAccess"}, {"discovery", "Discovery"},
        {"lateral-movement", "LateralMovement"}, {"collection", "Collection"},
        {"command-and-control", "CommandAndControl"}, {"exfiltration", "Exfiltration"}, {"impact", "Impact"},
    };
    if (!sg_str_has_prefix(tag, "attack.")) return false;
    sg_str name = {tag.ptr + 7, tag.len - 7};
    for (size_t i = 0; i < sizeof tactics / sizeof *tactics; i++)
        if (sg_str_eq_cstr(name, tactics[i][0])) {
            sg_buf_add_cstr(out, tactics[i][1]);
            return true;
        }
    return false;
}

/* attack.t1059.001 -> T1059.001 */
static bool sg_sentinel_technique(sg_str tag, sg_buf *out) {
    if (!sg_str_has_prefix(tag, "attack.t") || tag.len < 12) return false;
    for (size_t i = 8; i < tag.len; i++)
        if (!((tag.ptr[i] >= '0' && tag.ptr[i] <= '9') || tag.ptr[i] == '.')) return false;
    sg_buf_add_byte(out, 'T');
    sg_buf_add(out, tag.ptr + 8, tag.len - 8);
    return true;
}

static void sg_iso_span(sg_buf *out, int64_t seconds) {
    /* Sentinel's YAML uses 5m / 1h / 1d style durations. */
    if (seconds % 86400 == 0) sg_buf_printf(out, "%lldd", (long long)(seconds / 86400));
    else if (seconds % 3600 == 0) sg_buf_printf(out, "%lldh", (long long)(seconds / 3600));
    else if (seconds % 60 == 0) sg_buf_printf(out, "%lldm", (long long)(seconds / 60));
    else sg_buf_printf(out, "%llds", (long long)seconds);
}

static bool sg_emit_list(yaml_emitter_t *em, const char *key, const sg_strlist *tags,
                         bool (*conv)(sg_str, sg_buf *)) {
    yaml_event_t ev;
    if (!sg_emit_scalar(em, key, strlen(key), SG_YAML_FIXED)) return false;
    yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
    if (!sg_emit(em, &ev)) return false;
    sg_buf item;
    sg_buf_init(&item);
    char seen[64][32];
    size_t n_seen = 0;
    for (size_t i = 0; i < tags->count; i++) {
        sg_buf_reset(&item);
        if (!conv(tags->items[i], &item) || item.len >= 32) continue;
        bool dup = false;
        for (size_t k = 0; k < n_seen && !dup; k++) dup = strcmp(seen[k], item.data) == 0;
        if (dup) continue;
        if (n_seen < 64) memcpy(seen[n_seen++], item.data, item.len + 1);
        if (!sg_emit_scalar(em, item.data, item.len, SG_YAML_FIXED)) return sg_buf_free(&item), false;
    }
    sg_buf_free(&item);
    yaml_sequence_end_event_initialize(&ev);
    return sg_emit(em, &ev);
}

static int sg_sentinel(const sg_converted *c, sg_diags *d, sg_buf *out) {
    const sg_ir_meta *m = &c->rule->ir->meta;
    if (sg_utf8_check(c->query.ptr, c->query.len) != (size_t)-1 || sg_utf8_check(m->title.ptr, m->title.len) != (size_t)-1 ||
        sg_utf8_check(m->description.ptr, m->description.len) != (size_t)-1) {
        sg_diag_add(d, SG_D_UNSUPPORTED, (sg_loc){m->file, m->line, 1}, "Sentinel YAML needs valid UTF-8 text");
        return -1;
    }
    yaml_emitter_t em;
    yaml_event_t ev;
    sg_buf doc;
    sg_buf_init(&doc);
    if (!yaml_emitter_initialize(&em)) sg_out_of_memory();
    yaml_emitter_set_output(&em, sg_yaml_write, &doc);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, -1);
    sg_buf tmp;
    sg_buf_init(&tmp);
    int64_t period = c->ir->agg && c->ir->agg->timespan ? c->ir->agg->timespan : 3600;
    bool ok = true;
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    ok &= sg_emit(&em, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0); /* explicit ---: documents concatenate */
    ok &= sg_emit(&em, &ev);
    yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
    ok &= sg_emit(&em, &ev);
    ok &= sg_emit_kv(&em, "id", m->id.ptr ? m->id.ptr : "", m->id.len, SG_YAML_TEXT);
    ok &= sg_emit_kv(&em, "name", m->title.ptr ? m->title.ptr : "", m->title.len, SG_YAML_TEXT);
    ok &= sg_emit_kv(&em, "description", m->description.ptr ? m->description.ptr : "", m->description.len,
                     SG_YAML_TEXT);
    const char *sev = sg_sentinel_severity(m->level);
    ok &= sg_emit_kv(&em, "severity", sev, strlen(sev), SG_YAML_FIXED);
    ok &= sg_emit_scalar(&em, "requiredDataConnectors", 22, SG_YAML_FIXED);
    yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_FLOW_SEQUENCE_STYLE);
    ok &= sg_emit(&em, &ev);
    yaml_sequence_end_event_initialize(&ev);
    ok &= sg_emit(&em, &ev);
    sg_iso_span(&tmp, period);
    ok &= sg_emit_kv(&em, "queryFrequency", tmp.data, tmp.len, SG_YAML_FIXED);
    ok &= sg_emit_kv(&em, "queryPeriod", tmp.data, tmp.len, SG_YAML_FIXED);
    ok &= sg_emit_kv(&em, "triggerOperator", "gt", 2, SG_YAML_FIXED);
    ok &= sg_emit_kv(&em, "triggerThreshold", "0", 1, SG_YAML_FIXED);
    ok &= sg_emit_list(&em, "tactics", &m->tags, sg_sentinel_tactic);
    ok &= sg_emit_list(&em, "relevantTechniques", &m->tags, sg_sentinel_technique);
    ok &= sg_emit_kv(&em, "query", c->query.ptr, c->query.len, SG_YAML_BLOCK);
    ok &= sg_emit_kv(&em, "version", "1.0.0", 5, SG_YAML_FIXED);
    ok &= sg_emit_kv(&em, "kind", "Scheduled", 9, SG_YAML_FIXED);
    yaml_mapping_end_event_initialize(&ev);
    ok &= sg_emit(&em, &ev);
    yaml_document_end_event_initialize(&ev, 0);
    ok &= sg_emit(&em, &ev);
    yaml_stream_end_event_initialize(&ev);
    ok &= sg_emit(&em, &ev);
    yaml_emitter_delete(&em);
    sg_buf_free(&tmp);
    if (!ok) {
        sg_diag_add(d, SG_D_UNSUPPORTED, (sg_loc){m->file, m->line, 1}, "the rule could not be written as YAML");
        sg_buf_free(&doc);
        return -1;
    }
    sg_buf_add(out, doc.data, doc.len);
    sg_buf_free(&doc);
    return 0;
}

int sg_convert_format_one(const sg_backend *be, sg_out_format fmt, const sg_converted *c, sg_diags *d, sg_buf *out) {
    switch (fmt) {
    case SG_OUT_JSON: sg_json_item(c, out); return 0;
    case SG_OUT_SAVEDSEARCHES: return sg_savedsearch(c, d, out);
    case SG_OUT_SENTINEL: return sg_sentinel(c, d, out);
    case SG_OUT_DEFAULT: break;
    }
    sg_header(be, c, out);
    sg_buf_add_str(out, c->query);
    if (!c->query.len || c->query.ptr[c->query.len - 1] != '\n') sg_buf_add_byte(out, '\n');
    return 0;
}

int sg_convert_format_all(const sg_backend *be, sg_out_format fmt, const sg_convert_result *res, sg_diags *d,
                          sg_buf *out) {
    int rc = 0;
    if (fmt == SG_OUT_JSON) sg_buf_add_cstr(out, "[\n");
    if (fmt == SG_OUT_SAVEDSEARCHES)
        sg_buf_add_cstr(out, "[default]\ndispatch.earliest_time = -30d\ndispatch.latest_time = now\n");
    for (size_t i = 0; i < res->count; i++) {
        if (fmt == SG_OUT_JSON) sg_buf_add_cstr(out, "  ");
        else if (i || fmt == SG_OUT_SAVEDSEARCHES) sg_buf_add_byte(out, '\n');
        if (sg_convert_format_one(be, fmt, &res->items[i], d, out) != 0) rc = -1;
        if (fmt == SG_OUT_JSON) sg_buf_add_cstr(out, i + 1 < res->count ? ",\n" : "\n");
    }
    if (fmt == SG_OUT_JSON) sg_buf_add_cstr(out, "]\n");
    return rc;
}
