/* Calls a sandbox does not serve: processes, sockets, files outside. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    const pid_t child = fork();
    printf("fork: %d %s\n", (int)child, child < 0 ? strerror(errno) : "");
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    printf("socket: %d %s\n", s, s < 0 ? strerror(errno) : "");
    printf("execve: %d %s\n", execve("/bin/sh", (char*[]){"sh", 0}, (char*[]){0}), strerror(errno));
    return 0;
}
