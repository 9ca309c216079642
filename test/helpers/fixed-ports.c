/* LD_PRELOAD shim for the mock Kafka cluster (test/helpers/mock-kafka.ts): librdkafka 2.0's mock
 * brokers listen on ports the kernel picks, so a cluster started again would be on others.
 * With FIXED_PORTS=p1,p2,... the i-th IPv4 bind to port 0 gets port p_i instead (the brokers
 * bind in order, one listener each), so a new cluster can replace a killed one at its address. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

static int binds_rewritten = 0;

static int port_at(const char *list, int index) {
  const char *p = list;
  for (int i = 0; i < index && p != NULL; i++) {
    while (*p != '\0' && *p != ',') p++;
    p = *p == ',' ? p + 1 : NULL;
  }
  return p == NULL || *p == '\0' ? 0 : atoi(p);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  static int (*real_bind)(int, const struct sockaddr *, socklen_t) = NULL;
  if (real_bind == NULL) real_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
  const char *ports = getenv("FIXED_PORTS");
  if (ports != NULL && addr != NULL && addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in) &&
      ((const struct sockaddr_in *)addr)->sin_port == 0) {
    int port = port_at(ports, __atomic_fetch_add(&binds_rewritten, 1, __ATOMIC_SEQ_CST));
    if (port > 0) {
      struct sockaddr_in fixed = *(const struct sockaddr_in *)addr;
      fixed.sin_port = htons((unsigned short)port);
      return real_bind(fd, (const struct sockaddr *)&fixed, sizeof fixed);
    }
  }
  return real_bind(fd, addr, len);
}
