/* Shared by the C tests: reading files and the test policy, a front line
 * allowed 200 CNY on the bundled China calendar. */
#ifndef REDRESS_TEST_FIXTURE_H
#define REDRESS_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <redress/redress.h>

/* The whole file, NUL-terminated, from malloc; NULL if it cannot be read. */
static inline char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  char *text = NULL;
  long size;
  if (f == NULL) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
    text = (char *)malloc((size_t)size + 1);
    if (text != NULL && fread(text, 1, (size_t)size, f) == (size_t)size) {
      text[size] = '\0';
    } else {
      free(text);
      text = NULL;
    }
  }
  fclose(f);
  return text;
}

static inline char *cn_calendar_json(void) { return read_file(REDRESS_TEST_DATA_DIR "/calendars/cn.json"); }

/* The test policy, or NULL. */
static inline redress_policy *test_policy(void) {
  static const char head[] =
      "{\"currency\": \"CNY\", \"authority\": [{\"level\": 0, \"limit\": \"200\"}, {\"level\": 1}], \"calendar\": ";
  char *calendar = cn_calendar_json();
  char *doc;
  size_t len;
  redress_policy *policy = NULL;
  if (calendar == NULL) return NULL;
  len = strlen(head) + strlen(calendar) + 1;
  doc = (char *)malloc(len + 1);
  if (doc != NULL) {
    sprintf(doc, "%s%s}", head, calendar);
    if (redress_policy_parse(&policy, doc, strlen(doc)) != 0) policy = NULL;
  }
  free(doc);
  free(calendar);
  return policy;
}

#endif
