/* data.h - data files compiled into the binary (tools/embed.py). */
#ifndef SG_DATA_H
#define SG_DATA_H

#include <stddef.h>

extern const char sg_data_thresholds[]; /* compiler/data/thresholds.yml */
extern const size_t sg_data_thresholds_len;
extern const char sg_data_attack[];     /* compiler/data/attack.tsv */
extern const size_t sg_data_attack_len;
extern const char sg_data_d3fend[];     /* compiler/data/d3fend.tsv */
extern const size_t sg_data_d3fend_len;

#endif
