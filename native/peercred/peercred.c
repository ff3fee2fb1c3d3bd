/*
 * peercred: the credentials the kernel recorded for the peer of a connected Unix domain
 * socket (getsockopt SO_PEERCRED: pid, uid and gid of the process that called connect(),
 * fixed at that moment). Node has no API for it; this is the whole addon.
 *
 *   peerCred(fd: number) -> { pid: number, uid: number, gid: number }   (throws on failure)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <node_api.h>

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char message[160];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  napi_throw_error(env, "ERR_PEERCRED", message);
  return NULL;
}

static napi_value peer_cred(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) {
    napi_throw_type_error(env, NULL, "peerCred(fd) needs a file descriptor");
    return NULL;
  }
  int32_t fd;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "peerCred(fd): fd must be a non-negative integer");
    return NULL;
  }
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return throw_errno(env, "getsockopt(SO_PEERCRED)", errno);
  if (len != sizeof cred) return throw_errno(env, "getsockopt(SO_PEERCRED)", EPROTO);
  napi_value result, pid, uid, gid;
  if (napi_create_object(env, &result) != napi_ok
      || napi_create_int32(env, cred.pid, &pid) != napi_ok
      || napi_create_uint32(env, cred.uid, &uid) != napi_ok
      || napi_create_uint32(env, cred.gid, &gid) != napi_ok
      || napi_set_named_property(env, result, "pid", pid) != napi_ok
      || napi_set_named_property(env, result, "uid", uid) != napi_ok
      || napi_set_named_property(env, result, "gid", gid) != napi_ok) {
    napi_throw_error(env, NULL, "peerCred: out of memory");
    return NULL;
  }
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "peerCred", NAPI_AUTO_LENGTH, peer_cred, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "peerCred", fn) != napi_ok) return NULL;
  return exports;
}
