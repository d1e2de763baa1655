/* yamlparse.c - the baseline for `sigc check`: read every rule file and
 * run libyaml's parser over all its events, building nothing.  Same file
 * walk and reads as sigc. */
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

#include "fileio.h"

int main(int argc, char **argv) {
    sg_pathlist paths = {0};
    for (int i = 1; i < argc; i++) sg_collect_paths(argv[i], &paths);
    size_t events = 0, bytes = 0;
    for (size_t i = 0; i < paths.count; i++) {
        char *data;
        size_t len;
        if (sg_read_file(paths.items[i], 1 << 20, &data, &len) != SG_READ_OK) continue;
        bytes += len;
        yaml_parser_t p;
        yaml_parser_initialize(&p);
        yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
        for (;;) {
            yaml_event_t ev;
            if (!yaml_parser_parse(&p, &ev)) break;
            int done = ev.type == YAML_STREAM_END_EVENT;
            events++;
            yaml_event_delete(&ev);
            if (done) break;
        }
        yaml_parser_delete(&p);
        free(data);
    }
    printf("%zu files, %zu bytes, %zu events\n", paths.count, bytes, events);
    sg_pathlist_free(&paths);
    return 0;
}
