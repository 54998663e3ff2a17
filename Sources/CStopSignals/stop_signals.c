#include "kiln_stop_signals.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
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

int kiln_trap_stop_signals(int fd) {
    sigset_t stops;
    sigemptyset(&stops);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGINT);
    if (pthread_sigmask(SIG_BLOCK, &stops, NULL) != 0) return -1;

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = stop_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    stop_fd = fd;
    if (sigaction(SIGTERM, &action, NULL) != 0) return -1;
    if (sigaction(SIGINT, &action, NULL) != 0) return -1;
    return signalfd(-1, &stops, SFD_CLOEXEC);
}

int kiln_read_stop_signal(int signal_fd) {
    struct signalfd_siginfo info;
    ssize_t n;
    do {
        n = read(signal_fd, &info, sizeof info);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof info ? (int)info.ssi_signo : -1;
}

int kiln_take_pending_stop_signal(void) {
    sigset_t stops;
    sigemptyset(&stops);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGINT);
    struct timespec now = {0, 0};
    int signo;
    do {
        signo = sigtimedwait(&stops, NULL, &now);
    } while (signo < 0 && errno == EINTR);
    return signo;
}
