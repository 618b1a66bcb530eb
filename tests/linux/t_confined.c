/* What a guest can reach of the host's files: each argument is r:PATH
 * (open to read), w:PATH (open to write, creating), or l:PATH (list a
 * directory); one line each says what happened. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const char *path = argv[i] + 2;
        if (argv[i][0] == 'l') {
            DIR *d = opendir(path);
            if (!d) {
                printf("%s: %s\n", argv[i], strerror(errno));
                continue;
            }
            printf("%s:", argv[i]);
            for (struct dirent *e; (e = readdir(d));)
                printf(" %s", e->d_name);
            printf("\n");
            closedir(d);
            continue;
        }
        const int fd = argv[i][0] == 'w' ? open(path, O_WRONLY | O_CREAT, 0644) : open(path, O_RDONLY);
        char first[16] = "";
        if (fd >= 0 && read(fd, first, sizeof first - 1) < 0)
            strcpy(first, "(read failed)");
        first[strcspn(first, "\n")] = 0;
        printf("%s: %s\n", argv[i], fd >= 0 ? first : strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return 0;
}
