/* Files of a directory named relative to the working directory, read as real
 * programs read them: stdio lines and blocks, seeks, raw reads past stdio's
 * buffer, pread, a sorted directory listing with stat, and a missing file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int numbers(const char *dir)
{
    char path[256], line[128];
    snprintf(path, sizeof path, "%s/numbers.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("fopen %s: %s\n", path, strerror(errno));
        return 1;
    }
    double sum = 0;
    int count = 0;
    while (fgets(line, sizeof line, f)) {
        sum += strtod(line, NULL);
        ++count;
    }
    printf("%d numbers, sum %.17g\n", count, sum);
    fseek(f, 0, SEEK_END);
    const long size = ftell(f);
    rewind(f);
    char *all = malloc((size_t)size + 1);
    const size_t got = fread(all, 1, (size_t)size, f);
    all[got] = 0;
    printf("size %ld, read %zu, first line %.*s", size, got, (int)(strchr(all, '\n') - all + 1), all);
    fseek(f, -6, SEEK_END);
    if (fgets(line, sizeof line, f))
        printf("tail %s", line);
    printf("at the end %d\n", fgetc(f) == EOF && feof(f));
    free(all);
    fclose(f);
    return 0;
}

static void blocks(const char *dir)
{
    char path[256];
    unsigned char buffer[3000];
    snprintf(path, sizeof path, "%s/sub/big.bin", dir);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    unsigned long checksum = 0, total = 0;
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) {
        total += (unsigned long)n;
        for (ssize_t i = 0; i < n; ++i)
            checksum = checksum * 31 + buffer[i];
    }
    printf("big: %lu bytes, checksum %lu, last read %zd\n", total, checksum, n);
    if (pread(fd, buffer, 4, 100000) == 4)
        printf("pread at 100000: %02x %02x %02x %02x\n", buffer[0], buffer[1], buffer[2], buffer[3]);
    struct stat st;
    fstat(fd, &st);
    printf("fstat: regular %d, size %lld\n", S_ISREG(st.st_mode), (long long)st.st_size);
    close(fd);
}

static void listing(const char *dir)
{
    DIR *d = opendir(dir);
    char *names[64];
    int count = 0;
    for (struct dirent *e; (e = readdir(d)) && count < 64;)
        if (e->d_name[0] != '.')
            names[count++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)count, sizeof names[0], by_name);
    for (int i = 0; i < count; ++i) {
        char path[256];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) != 0)
            printf("%s: %s\n", names[i], strerror(errno));
        else if (S_ISDIR(st.st_mode))
            printf("%s/\n", names[i]);
        else
            printf("%s %lld bytes\n", names[i], (long long)st.st_size);
        free(names[i]);
    }
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "data";
    if (numbers(dir))
        return 1;
    blocks(dir);
    listing(dir);
    char path[256];
    snprintf(path, sizeof path, "%s/missing.txt", dir);
    errno = 0;
    FILE *f = fopen(path, "r");
    printf("missing: %s\n", f ? "opened" : strerror(errno));
    return 0;
}
