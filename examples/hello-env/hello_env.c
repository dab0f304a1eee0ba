/* Prints a greeting, then the guest's environment sorted, one KEY=VALUE per line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int compare(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
  size_t count = 0;
  while (environ[count] != NULL) {
    count++;
  }

  char **sorted = malloc((count + 1) * sizeof *sorted);
  if (sorted == NULL) {
    fputs("out of memory\n", stderr);
    return 1;
  }
  memcpy(sorted, environ, count * sizeof *sorted);
  qsort(sorted, count, sizeof *sorted, compare);

  puts("Hello from Propeller!");
  for (size_t i = 0; i < count; i++) {
    puts(sorted[i]);
  }
  free(sorted);
  return 0;
}
