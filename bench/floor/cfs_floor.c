/*
 * The syscall floor: plain C that issues only the configfs system calls a
 * workload needs, one after another, with no library in between. The
 * benchmarks compare rtslib (and rtslib-fb) against it in the same guest.
 *
 *   cfs_floor read   <dir>                        walk <dir>, read every readable file
 *   cfs_floor create <root> <N> <A> <filedir>     build workload W(N, A)
 *   cfs_floor clear  <root>                       remove everything, serially, in kernel order
 *   cfs_floor luns   <tpgdir> <so> <N> <out>      create N LUNs one at a time at the lowest free
 *                                                 index (readdir, mkdir, symlink); each one's
 *                                                 time in ms goes to <out>, one per line
 *
 * Each prints one JSON line: {"op":..., "ms":..., "files":..., "bytes":..., "userMs":..., "sysMs":...}
 * (wall time, and the CPU time spent in the program and in the kernel on its behalf).
 * W(N, A): N fileio storage objects on sparse 1 GiB files, one iSCSI target
 * with TPG 1 holding N LUNs, A node ACLs each mapping all N LUNs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long files_read, bytes_read;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what, const char *path) {
  fprintf(stderr, "cfs_floor: %s %s: %s\n", what, path, strerror(errno));
  exit(1);
}

static void xmkdir(const char *p) { if (mkdir(p, 0755) != 0) die("mkdir", p); }
static void xrmdir(const char *p) { if (rmdir(p) != 0) die("rmdir", p); }
static void xsymlink(const char *t, const char *p) { if (symlink(t, p) != 0) die("symlink", p); }
static void xunlink(const char *p) { if (unlink(p) != 0) die("unlink", p); }

static void xwrite(const char *p, const char *v) {
  int fd = open(p, O_WRONLY | O_CLOEXEC);
  if (fd < 0) die("open", p);
  ssize_t n = write(fd, v, strlen(v));
  if (n != (ssize_t)strlen(v)) die("write", p);
  close(fd);
}

static int skip_name(const char *n) {
  return !strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, "statistics") || !strcmp(n, "fabric_statistics");
}

/* Recursive walk reading every file with the owner-read bit (as rtslib's tree read does). */
static void walk(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) die("opendir", dir);
  struct dirent *e;
  char path[4096], buf[8192];
  while ((e = readdir(d)) != NULL) {
    if (skip_name(e->d_name)) continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(path, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      walk(path);
    } else if (S_ISLNK(st.st_mode)) {
      ssize_t n = readlink(path, buf, sizeof buf);
      (void)n;
    } else if (S_ISREG(st.st_mode) && (st.st_mode & S_IRUSR)) {
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      ssize_t n;
      while ((n = read(fd, buf, sizeof buf)) > 0) bytes_read += n;
      close(fd);
      files_read++;
    }
  }
  closedir(d);
}

static void create(const char *root, int n, int a, const char *filedir) {
  char p[4096], q[4096], v[4096];
  const char *iqn = "iqn.2003-01.org.linux-iscsi.bench:floor";
  for (int i = 0; i < n; i++) {
    snprintf(v, sizeof v, "%s/f%d.img", filedir, i);
    int fd = open(v, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0 || ftruncate(fd, 1L << 30) != 0) die("create", v);
    close(fd);
    snprintf(p, sizeof p, "%s/core/fileio_%d", root, i); xmkdir(p);
    snprintf(p, sizeof p, "%s/core/fileio_%d/so%d", root, i, i); xmkdir(p);
    snprintf(q, sizeof q, "%s/control", p);
    snprintf(v, sizeof v, "fd_dev_name=%s/f%d.img,fd_dev_size=%ld", filedir, i, 1L << 30); xwrite(q, v);
    snprintf(q, sizeof q, "%s/udev_path", p); snprintf(v, sizeof v, "%s/f%d.img", filedir, i); xwrite(q, v);
    snprintf(q, sizeof q, "%s/enable", p); xwrite(q, "1");
    snprintf(q, sizeof q, "%s/wwn/vpd_unit_serial", p); snprintf(v, sizeof v, "00000000-0000-4000-8000-%012d", i); xwrite(q, v);
  }
  snprintf(p, sizeof p, "%s/iscsi", root);
  if (access(p, F_OK) != 0) xmkdir(p);
  snprintf(p, sizeof p, "%s/iscsi/%s", root, iqn); xmkdir(p);
  snprintf(p, sizeof p, "%s/iscsi/%s/tpgt_1", root, iqn); xmkdir(p);
  for (int i = 0; i < n; i++) {
    snprintf(p, sizeof p, "%s/iscsi/%s/tpgt_1/lun/lun_%d", root, iqn, i); xmkdir(p);
    snprintf(q, sizeof q, "%s/l%d", p, i); snprintf(v, sizeof v, "%s/core/fileio_%d/so%d", root, i, i); xsymlink(v, q);
  }
  for (int j = 0; j < a; j++) {
    snprintf(p, sizeof p, "%s/iscsi/%s/tpgt_1/acls/iqn.1994-05.com.redhat:client%d", root, iqn, j); xmkdir(p);
    for (int i = 0; i < n; i++) {
      snprintf(q, sizeof q, "%s/lun_%d", p, i); xmkdir(q);
      snprintf(q, sizeof q, "%s/lun_%d/m%d", p, i, i);
      snprintf(v, sizeof v, "%s/iscsi/%s/tpgt_1/lun/lun_%d", root, iqn, i); xsymlink(v, q);
    }
  }
}

/* Calls fn(path) for each subdirectory (or, with links, each symlink) of dir. */
static int list(const char *dir, int want_links, char names[][256], int max) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  int k = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && k < max) {
    if (skip_name(e->d_name)) continue;
    char p[4096];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    if (lstat(p, &st) != 0) continue;
    if ((want_links && S_ISLNK(st.st_mode)) || (!want_links && S_ISDIR(st.st_mode))) {
      size_t len = strnlen(e->d_name, 255);
      memcpy(names[k], e->d_name, len);
      names[k][len] = 0;
      k++;
    }
  }
  closedir(d);
  return k;
}

#define MAXN 70000
static char (*A)[256], (*B)[256], (*C)[256];

static void unlink_all_links(const char *dir) {
  static char links[64][256];
  int n = list(dir, 1, links, 64);
  char p[4096];
  for (int i = 0; i < n; i++) { snprintf(p, sizeof p, "%s/%s", dir, links[i]); xunlink(p); }
}

static void clear(const char *root) {
  char p[4096], q[4096], r[4096];
  int nf = list(root, 0, A, MAXN);
  static char fabrics[64][256];
  for (int i = 0; i < nf && i < 64; i++) strcpy(fabrics[i], A[i]);
  for (int f = 0; f < nf && f < 64; f++) {
    if (!strcmp(fabrics[f], "core")) continue;
    snprintf(p, sizeof p, "%s/%s", root, fabrics[f]);
    static char targets[1024][256];
    int nt = list(p, 0, A, MAXN);
    for (int i = 0; i < nt && i < 1024; i++) strcpy(targets[i], A[i]);
    for (int t = 0; t < nt && t < 1024; t++) {
      if (!strcmp(targets[t], "discovery_auth")) continue;
      snprintf(q, sizeof q, "%s/%s", p, targets[t]);
      static char tpgs[256][256];
      int ng = list(q, 0, A, MAXN);
      for (int i = 0; i < ng && i < 256; i++) strcpy(tpgs[i], A[i]);
      for (int g = 0; g < ng && g < 256; g++) {
        if (strncmp(tpgs[g], "tpgt_", 5)) continue;
        char tpg[4096];
        snprintf(tpg, sizeof tpg, "%s/%s", q, tpgs[g]);
        snprintf(r, sizeof r, "%s/enable", tpg);
        if (access(r, F_OK) == 0) { int fd = open(r, O_WRONLY); if (fd >= 0) { if (write(fd, "0", 1) < 0) {} close(fd); } }
        snprintf(r, sizeof r, "%s/acls", tpg);
        int na = list(r, 0, B, MAXN);
        for (int x = 0; x < na; x++) {
          char acl[4096];
          snprintf(acl, sizeof acl, "%s/acls/%s", tpg, B[x]);
          int nm = list(acl, 0, C, MAXN);
          for (int m = 0; m < nm; m++) {
            if (strncmp(C[m], "lun_", 4)) continue;
            char ml[4096];
            snprintf(ml, sizeof ml, "%s/%s", acl, C[m]);
            unlink_all_links(ml);
            xrmdir(ml);
          }
          xrmdir(acl);
        }
        snprintf(r, sizeof r, "%s/lun", tpg);
        int nl = list(r, 0, B, MAXN);
        for (int x = 0; x < nl; x++) {
          char lun[4096];
          snprintf(lun, sizeof lun, "%s/lun/%s", tpg, B[x]);
          unlink_all_links(lun);
          xrmdir(lun);
        }
        snprintf(r, sizeof r, "%s/np", tpg);
        int nn = list(r, 0, B, MAXN);
        for (int x = 0; x < nn; x++) { char np[4096]; snprintf(np, sizeof np, "%s/np/%s", tpg, B[x]); xrmdir(np); }
        xrmdir(tpg);
      }
      xrmdir(q);
    }
  }
  snprintf(p, sizeof p, "%s/core", root);
  int nh = list(p, 0, B, MAXN);
  for (int h = 0; h < nh; h++) {
    if (!strcmp(B[h], "alua")) continue;
    snprintf(q, sizeof q, "%s/core/%s", root, B[h]);
    int ns = list(q, 0, C, MAXN);
    for (int s = 0; s < ns; s++) {
      char so[4096];
      snprintf(so, sizeof so, "%s/%s", q, C[s]);
      static char groups[64][256];
      snprintf(r, sizeof r, "%s/alua", so);
      int ng = list(r, 0, groups, 64);
      for (int g = 0; g < ng; g++) {
        if (!strcmp(groups[g], "default_tg_pt_gp")) continue;
        char gp[4096]; snprintf(gp, sizeof gp, "%s/alua/%s", so, groups[g]); xrmdir(gp);
      }
      xrmdir(so);
    }
    xrmdir(q);
  }
}

/* One LUN after another, as an object model's "lowest free index" create does it. */
static void luns(const char *tpg, const char *so, int n, const char *out) {
  FILE *f = fopen(out, "w");
  if (!f) die("fopen", out);
  char dir[4096], p[4096], q[4096];
  snprintf(dir, sizeof dir, "%s/lun", tpg);
  static unsigned char used[65536];
  for (int i = 0; i < n; i++) {
    double t0 = now_ms();
    memset(used, 0, sizeof used);
    DIR *d = opendir(dir);
    if (!d) die("opendir", dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_type == DT_DIR && !strncmp(e->d_name, "lun_", 4)) { int k = atoi(e->d_name + 4); if (k >= 0 && k < 65536) used[k] = 1; }
    }
    closedir(d);
    int index = 0;
    while (index < 65535 && used[index]) index++;
    snprintf(p, sizeof p, "%s/lun_%d", dir, index); xmkdir(p);
    snprintf(q, sizeof q, "%s/l%d", p, index); xsymlink(so, q);
    fprintf(f, "%.3f\n", now_ms() - t0);
  }
  fclose(f);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: cfs_floor read <dir> | create <root> <N> <A> <filedir> | clear <root> | luns <tpgdir> <so> <N> <out>\n");
    return 2;
  }
  A = calloc(MAXN, 256); B = calloc(MAXN, 256); C = calloc(MAXN, 256);
  double t0 = now_ms();
  if (!strcmp(argv[1], "read")) walk(argv[2]);
  else if (!strcmp(argv[1], "create") && argc == 6) create(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5]);
  else if (!strcmp(argv[1], "clear")) clear(argv[2]);
  else if (!strcmp(argv[1], "luns") && argc == 6) luns(argv[2], argv[3], atoi(argv[4]), argv[5]);
  else { fprintf(stderr, "cfs_floor: bad arguments\n"); return 2; }
  double ms = now_ms() - t0;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("{\"op\":\"%s\",\"ms\":%.3f,\"files\":%ld,\"bytes\":%ld,\"userMs\":%.3f,\"sysMs\":%.3f}\n", argv[1], ms, files_read, bytes_read,
         ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3, ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3);
  return 0;
}
