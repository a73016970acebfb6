/* Container-side READY signal for the agent's control socket (test fixture, built static). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "/run/statecast/control.sock";
  const char *body = "{\"type\":\"ready\"}";
  char req[512], res[256];
  snprintf(req, sizeof req,
           "POST /signal HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\n"
           "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(body), body);
  for (int attempt = 0; attempt < 50; attempt++) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
      write(fd, req, strlen(req));
      ssize_t n = read(fd, res, sizeof res - 1);
      close(fd);
      if (n > 12) {
        res[n] = 0;
        return strncmp(res + 9, "200", 3) == 0 ? 0 : 2;
      }
    }
    if (fd >= 0) close(fd);
    usleep(100000);
  }
  return 1;
}
