/*
 * Benchmark aid (not part of wameter): makes every fsync/fdatasync of a process take at least
 * FSYNC_DELAY_US microseconds longer, to model a disk whose flushes are slower than this VM's
 * (about 0.14 ms here; 1-10 ms is usual for cloud block storage and SATA SSDs without a
 * power-loss-protected cache). SQLite (the system libsqlite3, dynamically linked) calls these
 * from the writer's thread while it holds the write lock, as it would wait for a slow disk.
 *
 *   cc -shared -fPIC -O2 -o bench-data/fsync-delay.so scripts/fsync-delay.c -ldl
 *   FSYNC_DELAY_US=1000 LD_PRELOAD=$PWD/bench-data/fsync-delay.so wameter serve ...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long delay_us(void) {
    static long delay = -1;
    if (delay < 0) {
        const char *text = getenv("FSYNC_DELAY_US");
        delay = text ? atol(text) : 0;
    }
    return delay;
}

static void wait_delay(void) {
    long us = delay_us();
    if (us <= 0) return;
    struct timespec pause = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&pause, &pause) != 0) {}
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    int result = real(fd);
    wait_delay();
    return result;
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    int result = real(fd);
    wait_delay();
    return result;
}
