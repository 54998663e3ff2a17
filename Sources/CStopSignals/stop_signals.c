#include "kiln_stop_signals.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_fd = -1;

static void stop_handler(int signo) {
    int saved = errno;  // the interrupted code may be about to read errno
    unsigned char byte = (unsigned char)signo;
    if (stop_fd >= 0) {
        ssize_t written = write(stop_fd, &byte, 1);
        (void)written;  // a full pipe means a stop is already pending
    }
    errno = saved;
}

int kiln_install_stop_handler(int fd) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = stop_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    stop_fd = fd;
    if (sigaction(SIGTERM, &action, NULL) != 0) return -1;
    if (sigaction(SIGINT, &action, NULL) != 0) return -1;
    // A parent may have started us with these signals blocked (a mask inherited from one of its worker
    // threads); blocked in every thread, they would stay pending for ever.
    sigset_t stops;
    sigemptyset(&stops);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGINT);
    return pthread_sigmask(SIG_UNBLOCK, &stops, NULL) == 0 ? 0 : -1;
}
