// SPDX-License-Identifier: GPL-2.0-only
/* The JSON HTTP API on a Unix socket (and on TCP when configured), served
 * from the daemon's event loop: no threads, never blocks for long (a big
 * connection listing is streamed in steps). */
#include "api.h"

#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api_request.h"
#include "conns_list.h"
#include "log.h"
#include "metrics.h"
#include "stats.h"
#include "vrrp.h"

#define API_CONNECTION_LIMIT 64
#define API_CONNECTION_TIMEOUT_S 10
#define API_CONNS_DEFAULT_LIMIT 10000
/* Bytes of a streamed response handed to MHD at a time. */
#define API_STREAM_BLOCK (32 * 1024)

struct api {
	struct daemon *daemon;
	struct MHD_Daemon *unix_server;
	struct MHD_Daemon *http_server;
	char unix_path[sizeof(((struct config_global *)0)->api_unix)];
};

static enum MHD_Result respond(struct MHD_Connection *connection, unsigned int status,
			       const char *content_type, const char *body)
{
	struct MHD_Response *response;
	enum MHD_Result ret;

	response = MHD_create_response_from_buffer(strlen(body), (void *)body,
						   MHD_RESPMEM_MUST_COPY);
	if (!response)
		return MHD_NO;
	MHD_add_response_header(response, "Content-Type", content_type);
	ret = MHD_queue_response(connection, status, response);
	MHD_destroy_response(response);
	return ret;
}

static enum MHD_Result respond_json(struct MHD_Connection *connection, unsigned int status,
				    struct json_object *document)
{
	enum MHD_Result ret;

	ret = respond(connection, status, "application/json",
		      json_object_to_json_string_ext(document, JSON_C_TO_STRING_PLAIN));
	json_object_put(document);
	return ret;
}

static enum MHD_Result respond_error(struct MHD_Connection *connection, unsigned int status,
				     const char *message)
{
	struct json_object *document = json_object_new_object();

	json_object_object_add(document, "error", json_object_new_string(message));
	return respond_json(connection, status, document);
}

static ssize_t conns_read(void *cls, uint64_t position, char *buffer, size_t size)
{
	ssize_t length = conns_listing__read(cls, buffer, size);

	if (length == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	return length < 0 ? MHD_CONTENT_READER_END_WITH_ERROR : length;
}

static void conns_free(void *cls)
{
	conns_listing__close(cls);
}

/* Streamed: MHD asks for the next piece when the client has taken the last,
 * so the table is read one batch per turn of the event loop. */
static enum MHD_Result respond_conns(struct MHD_Connection *connection, struct daemon *daemon,
				     const char *service, size_t limit)
{
	struct conns_listing *listing = conns_listing__open(daemon, service, limit);
	struct MHD_Response *response;
	enum MHD_Result ret;

	if (!listing)
		return respond_error(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, API_STREAM_BLOCK,
						     conns_read, listing, conns_free);
	if (!response) {
		conns_listing__close(listing);
		return MHD_NO;
	}
	MHD_add_response_header(response, "Content-Type", "application/json");
	ret = MHD_queue_response(connection, MHD_HTTP_OK, response);
	MHD_destroy_response(response);
	return ret;
}

static size_t conns_limit(struct MHD_Connection *connection)
{
	const char *text = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "limit");
	char *end;
	unsigned long value;

	if (!text)
		return API_CONNS_DEFAULT_LIMIT;
	value = strtoul(text, &end, 10);
	if (*end || value == 0 || value > 10000000UL)
		return 0;
	return value;
}

static enum MHD_Result route_get(struct api *api, struct MHD_Connection *connection,
				 const char *url)
{
	static const char services_prefix[] = "/api/v1/services/";
	struct json_object *document;

	if (!strcmp(url, "/api/v1/services"))
		return respond_json(connection, MHD_HTTP_OK, stats__services(api->daemon));
	if (!strncmp(url, services_prefix, sizeof(services_prefix) - 1)) {
		const char *name = url + sizeof(services_prefix) - 1;

		document = stats__service(api->daemon, name);
		if (!document)
			return respond_error(connection, MHD_HTTP_NOT_FOUND, "no such service");
		return respond_json(connection, MHD_HTTP_OK, document);
	}
	if (!strcmp(url, "/api/v1/conns")) {
		size_t limit = conns_limit(connection);
		const char *service = MHD_lookup_connection_value(connection,
						MHD_GET_ARGUMENT_KIND, "service");

		if (!limit)
			return respond_error(connection, MHD_HTTP_BAD_REQUEST,
					     "limit must be a number from 1 to 10000000");
		if (service && !dataplane__service_by_name(api->daemon->dataplane, service))
			return respond_error(connection, MHD_HTTP_NOT_FOUND, "no such service");
		return respond_conns(connection, api->daemon, service, limit);
	}
	if (!strcmp(url, "/api/v1/vrrp"))
		return respond_json(connection, MHD_HTTP_OK, vrrp__json(api->daemon->vrrp));
	if (!strcmp(url, "/api/v1/status"))
		return respond_json(connection, MHD_HTTP_OK, stats__status(api->daemon));
	if (!strcmp(url, "/metrics")) {
		char *page = metrics__render(api->daemon);
		enum MHD_Result ret;

		if (!page)
			return respond_error(connection, MHD_HTTP_INTERNAL_SERVER_ERROR,
					     "out of memory");
		ret = respond(connection, MHD_HTTP_OK, "text/plain; version=0.0.4", page);
		free(page);
		return ret;
	}
	return respond_error(connection, MHD_HTTP_NOT_FOUND, "no such endpoint");
}

/* A request's body as it arrives; bodies past API_BODY_MAX are dropped. */
struct request_body {
	char *data;
	size_t length;
	bool too_large;
};

static void request_completed(void *cls, struct MHD_Connection *connection,
			      void **request_state, enum MHD_RequestTerminationCode code)
{
	struct request_body *body = *request_state;

	if (body)
		free(body->data);
	free(body);
	*request_state = NULL;
}

/* Returns true once the whole body is in. */
static bool body_collect(struct request_body *body, const char *data, size_t *size)
{
	char *grown;

	if (*size == 0)
		return true;
	if (!body->too_large && body->length + *size <= API_BODY_MAX) {
		grown = realloc(body->data, body->length + *size + 1);
		if (grown) {
			memcpy(grown + body->length, data, *size);
			body->data = grown;
			body->length += *size;
			body->data[body->length] = '\0';
		} else {
			body->too_large = true;
		}
	} else {
		body->too_large = true;
	}
	*size = 0;
	return false;
}

static enum MHD_Result reload_respond(struct api *api, struct MHD_Connection *connection)
{
	struct daemon *daemon = api->daemon;
	struct json_object *document = json_object_new_object();
	struct json_object *errors = json_object_new_array();
	const char *line = NULL;

	if (daemon__reload(daemon) == 0) {
		json_object_object_add(document, "result", json_object_new_string("ok"));
		json_object_put(errors);
		return respond_json(connection, MHD_HTTP_OK, document);
	}
	for (line = daemon->last_reload_errors; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t length = end ? (size_t)(end - line) : strlen(line);

		json_object_array_add(errors, json_object_new_string_len(line, (int)length));
		line = end ? end + 1 : NULL;
	}
	json_object_object_add(document, "error", json_object_new_string(
		json_object_array_length(errors) == 1
			? json_object_get_string(json_object_array_get_idx(errors, 0))
			: "the configuration has errors; the running one is kept"));
	json_object_object_add(document, "errors", errors);
	return respond_json(connection, MHD_HTTP_BAD_REQUEST, document);
}

static enum MHD_Result backend_patch(struct api *api, struct MHD_Connection *connection,
				     const struct api_route *route,
				     const struct request_body *body)
{
	struct dp_service *service = NULL;
	struct dp_backend *backend;
	struct api_backend_patch patch;
	char error[128];

	if (body->too_large)
		return respond_error(connection, MHD_HTTP_CONTENT_TOO_LARGE,
				     "request body too large (limit 64 KiB)");
	if (api_backend_patch_parse(body->data ? body->data : "", body->length, &patch, error,
				    sizeof(error)))
		return respond_error(connection, MHD_HTTP_BAD_REQUEST, error);
	if (!dataplane__service_by_name(api->daemon->dataplane, route->service))
		return respond_error(connection, MHD_HTTP_NOT_FOUND, "no such service");
	backend = dataplane__backend_find(api->daemon->dataplane, route->service,
					  &route->address, route->port, &service);
	if (!backend)
		return respond_error(connection, MHD_HTTP_NOT_FOUND, "no such backend");
	if (dataplane__backend_override(api->daemon->dataplane, service, backend, patch.weight,
					patch.admin))
		return respond_error(connection, MHD_HTTP_INTERNAL_SERVER_ERROR,
				     "cannot update the data plane (see the log)");
	return respond_json(connection, MHD_HTTP_OK, stats__service(api->daemon, route->service));
}

static bool method_is(const char *method, const char *expected)
{
	return !strcmp(method, expected);
}

static enum MHD_Result api_request(void *cls, struct MHD_Connection *connection,
				   const char *url, const char *method, const char *version,
				   const char *upload_data, size_t *upload_data_size,
				   void **request_state)
{
	struct request_body *body = *request_state;
	struct api *api = cls;
	struct api_route route;
	char error[128];
	int ret;

	if (!body) {
		body = calloc(1, sizeof(*body));
		if (!body)
			return MHD_NO;
		*request_state = body;
		return MHD_YES;
	}
	if (!body_collect(body, upload_data, upload_data_size))
		return MHD_YES;
	ret = api_route_parse(url, &route, error, sizeof(error));
	if (ret)
		return respond_error(connection, ret == -ENOENT ? MHD_HTTP_NOT_FOUND
								: MHD_HTTP_BAD_REQUEST, error);
	if (route.endpoint == API_BACKEND)
		return method_is(method, MHD_HTTP_METHOD_PATCH)
			       ? backend_patch(api, connection, &route, body)
			       : respond_error(connection, MHD_HTTP_METHOD_NOT_ALLOWED,
					       "method not allowed (use PATCH)");
	if (route.endpoint == API_RELOAD)
		return method_is(method, MHD_HTTP_METHOD_POST)
			       ? reload_respond(api, connection)
			       : respond_error(connection, MHD_HTTP_METHOD_NOT_ALLOWED,
					       "method not allowed (use POST)");
	if (!method_is(method, MHD_HTTP_METHOD_GET) && !method_is(method, MHD_HTTP_METHOD_HEAD))
		return respond_error(connection, MHD_HTTP_METHOD_NOT_ALLOWED,
				     "method not allowed (use GET)");
	return route_get(api, connection, url);
}

static int unix_listen(const char *path)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(address.sun_path)) {
		log_error("api socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(address.sun_path, path);
	/* The run_dir lock is held, so a socket left here is a dead daemon's. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&address, sizeof(address)) || chmod(path, 0600) ||
	    listen(fd, 64)) {
		int ret = -errno;

		log_warn("api socket %s", path);
		close(fd);
		return ret;
	}
	return fd;
}

static struct MHD_Daemon *server_start(struct api *api, int listen_fd, uint16_t port,
				       const struct sockaddr *bind_address)
{
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

	if (bind_address && bind_address->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (listen_fd >= 0)
		return MHD_start_daemon(flags, 0, NULL, NULL, api_request, api,
					MHD_OPTION_LISTEN_SOCKET, listen_fd,
					MHD_OPTION_CONNECTION_LIMIT, API_CONNECTION_LIMIT,
					MHD_OPTION_CONNECTION_TIMEOUT, API_CONNECTION_TIMEOUT_S,
					MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL,
					MHD_OPTION_END);
	return MHD_start_daemon(flags, port, NULL, NULL, api_request, api,
				MHD_OPTION_SOCK_ADDR, bind_address,
				MHD_OPTION_CONNECTION_LIMIT, API_CONNECTION_LIMIT,
				MHD_OPTION_CONNECTION_TIMEOUT, API_CONNECTION_TIMEOUT_S,
				MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL,
				MHD_OPTION_END);
}

static struct MHD_Daemon *http_start(struct api *api, const struct config_global *global)
{
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in v4 = { .sin_family = AF_INET };

	if (global->api_http_addr.family == AF_INET6) {
		v6.sin6_addr = global->api_http_addr.v6;
		v6.sin6_port = htons(global->api_http_port);
		return server_start(api, -1, global->api_http_port, (struct sockaddr *)&v6);
	}
	v4.sin_addr = global->api_http_addr.v4;
	v4.sin_port = htons(global->api_http_port);
	return server_start(api, -1, global->api_http_port, (struct sockaddr *)&v4);
}

int api__open(struct daemon *daemon, struct api **out)
{
	const struct config_global *global = &daemon->config->global;
	struct api *api = calloc(1, sizeof(*api));
	int fd, ret;

	if (!api)
		return -ENOMEM;
	api->daemon = daemon;
	fd = unix_listen(global->api_unix);
	if (fd < 0) {
		ret = fd;
		goto fail;
	}
	snprintf(api->unix_path, sizeof(api->unix_path), "%s", global->api_unix);
	api->unix_server = server_start(api, fd, 0, NULL);
	if (!api->unix_server) {
		close(fd);
		ret = -EIO;
		goto fail;
	}
	if (global->api_http_set) {
		api->http_server = http_start(api, global);
		if (!api->http_server) {
			log_error("api http: cannot listen on port %u", global->api_http_port);
			ret = -EADDRINUSE;
			goto fail;
		}
	}
	*out = api;
	return 0;
fail:
	api__close(api);
	return ret;
}

void api__close(struct api *api)
{
	if (!api)
		return;
	if (api->http_server)
		MHD_stop_daemon(api->http_server);
	if (api->unix_server) {
		MHD_stop_daemon(api->unix_server);
		unlink(api->unix_path);
	}
	free(api);
}

static int server_fd(struct MHD_Daemon *server)
{
	const union MHD_DaemonInfo *info;

	info = MHD_get_daemon_info(server, MHD_DAEMON_INFO_EPOLL_FD);
	return info ? info->epoll_fd : -1;
}

int api__fds(const struct api *api, int *fds, int max)
{
	int count = 0;

	if (api->unix_server && count < max)
		fds[count++] = server_fd(api->unix_server);
	if (api->http_server && count < max)
		fds[count++] = server_fd(api->http_server);
	return count;
}

void api__run(struct api *api)
{
	if (api->unix_server)
		MHD_run(api->unix_server);
	if (api->http_server)
		MHD_run(api->http_server);
}

int api__timeout(struct api *api)
{
	MHD_UNSIGNED_LONG_LONG unix_ms = 0, http_ms = 0;
	bool unix_due, http_due;

	unix_due = api->unix_server && MHD_get_timeout(api->unix_server, &unix_ms) == MHD_YES;
	http_due = api->http_server && MHD_get_timeout(api->http_server, &http_ms) == MHD_YES;
	if (unix_due && http_due)
		unix_ms = unix_ms < http_ms ? unix_ms : http_ms;
	else if (http_due)
		unix_ms = http_ms;
	else if (!unix_due)
		return -1;
	return unix_ms > INT_MAX ? INT_MAX : (int)unix_ms;
}
