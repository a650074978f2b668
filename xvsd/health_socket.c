// SPDX-License-Identifier: GPL-2.0-only
/* Network checks: a non-blocking socket (inside the service's namespace when
 * it has one), connect, TLS, the protocol's request, and its reply judged
 * within the protocol's size limit; every step ends at the check's deadline. */
#include "health_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "netns.h"

/* Reads in one wakeup before the loop gets its turn back (level-triggered:
 * the rest is read at the next one). */
#define READS_PER_EVENT 8

SSL_CTX *socket_tls_context(void)
{
	SSL_CTX *context = SSL_CTX_new(TLS_client_method());

	if (!context) {
		log_warnx("TLS client context: %s", ERR_reason_error_string(ERR_get_error()));
		return NULL;
	}
	/* A check asks "does it answer", not "is it who it says": no
	 * certificate verification (docs/health.md). */
	SSL_CTX_set_verify(context, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE |
					  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
	return context;
}

static enum check_failure failure_of_errno(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return CHECK_FAIL_REFUSED;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
	case ENONET:
		return CHECK_FAIL_UNREACHABLE;
	case ETIMEDOUT:
		return CHECK_FAIL_TIMEOUT;
	case ECONNRESET:
	case EPIPE:
		return CHECK_FAIL_CLOSED;
	default:
		return CHECK_FAIL_CONNECT;
	}
}

static void fail_errno(struct checker *checker, const char *what, int err)
{
	char detail[96];

	snprintf(detail, sizeof(detail), "%s: %s", what, strerror(err));
	health_finish(checker, failure_of_errno(err), detail);
}

static void fail(struct checker *checker, enum check_failure failure, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct checker *checker, enum check_failure failure, const char *format, ...)
{
	char detail[96];
	va_list ap;

	va_start(ap, format);
	vsnprintf(detail, sizeof(detail), format, ap);
	va_end(ap);
	health_finish(checker, failure, detail);
}

static bool is_datagram(const struct checker *checker)
{
	int type = checker->protocol->socket_type;

	if (!type)
		type = checker->service_proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	return type == SOCK_DGRAM;
}

/* The protocol's verdict on the reply so far (closed: the peer is done). */
static void judge(struct checker *checker, bool closed)
{
	struct check_context *context = &checker->context;
	int verdict = checker->protocol->reply(context, checker->reply, checker->reply_length,
					       closed);

	if (verdict == CHECK_UP)
		health_finish(checker, CHECK_FAIL_NONE, context->detail);
	else if (verdict < 0)
		health_finish(checker, -verdict < CHECK_FAIL__COUNT ? (enum check_failure)-verdict
								    : CHECK_FAIL_GARBAGE,
			      context->detail);
	else if (closed)
		fail(checker, CHECK_FAIL_CLOSED, "closed after %zu bytes, reply incomplete",
		     checker->reply_length);
}

/* A TLS call that did not complete: wait for the socket, or fail. */
static void tls_problem(struct checker *checker, int ret, const char *what)
{
	int error = SSL_get_error(checker->ssl, ret);
	unsigned long code = ERR_peek_error();
	char reason[64] = "";

	if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
		health_watch(checker, checker->fd,
			     error == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT);
		return;
	}
	if (code)
		snprintf(reason, sizeof(reason), "%s", ERR_reason_error_string(code));
	ERR_clear_error();
	if (error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && !code && !errno)) {
		if (checker->phase == PHASE_RECEIVE)
			judge(checker, true);
		else
			fail(checker, CHECK_FAIL_TLS, "%s: peer closed", what);
		return;
	}
	if (error == SSL_ERROR_SYSCALL && errno)
		fail_errno(checker, what, errno);
	else
		fail(checker, CHECK_FAIL_TLS, "%s: %s", what, reason[0] ? reason : "failed");
}

static void receive_stream(struct checker *checker)
{
	for (int i = 0; i < READS_PER_EVENT && checker->phase == PHASE_RECEIVE; i++) {
		size_t room = checker->protocol->reply_max - checker->reply_length;
		uint8_t *at = checker->reply + checker->reply_length;
		ssize_t n;

		if (checker->ssl) {
			errno = 0;
			n = SSL_read(checker->ssl, at, room > INT32_MAX ? INT32_MAX : (int)room);
			if (n <= 0) {
				tls_problem(checker, (int)n, "TLS read");
				return;
			}
		} else {
			n = recv(checker->fd, at, room, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno != EAGAIN)
				fail_errno(checker, "receive", errno);
			if (n == 0)
				judge(checker, true);
			if (n <= 0)
				return;
		}
		checker->reply_length += (size_t)n;
		judge(checker, false);
		if (checker->phase == PHASE_RECEIVE &&
		    checker->reply_length >= checker->protocol->reply_max)
			fail(checker, CHECK_FAIL_OVERSIZED, "no complete reply in %zu bytes",
			     checker->reply_length);
	}
}

static void receive_datagrams(struct checker *checker)
{
	for (int i = 0; i < READS_PER_EVENT && checker->phase == PHASE_RECEIVE; i++) {
		/* MSG_TRUNC: the datagram's real length, to tell oversized. */
		ssize_t n = recv(checker->fd, checker->reply, checker->reply_capacity, MSG_TRUNC);

		if (n < 0) {
			if (errno == ECONNREFUSED)
				fail(checker, CHECK_FAIL_REFUSED, "port unreachable");
			else if (errno != EAGAIN && errno != EINTR)
				fail_errno(checker, "receive", errno);
			return;
		}
		checker->datagrams++;
		if ((size_t)n > checker->protocol->reply_max) {
			fail(checker, CHECK_FAIL_OVERSIZED, "datagram of %zd bytes (at most %zu)", n,
			     checker->protocol->reply_max);
			return;
		}
		checker->reply_length = (size_t)n;
		judge(checker, false);
		if (checker->phase == PHASE_RECEIVE && checker->datagrams >= HEALTH_DATAGRAMS_MAX)
			fail(checker, CHECK_FAIL_GARBAGE, "%u datagrams, none an answer",
			     checker->datagrams);
	}
}

static void receive(struct checker *checker)
{
	if (is_datagram(checker))
		receive_datagrams(checker);
	else
		receive_stream(checker);
}

/* A datagram goes whole, even empty. */
static bool send_datagram(struct checker *checker)
{
	if (send(checker->fd, checker->request, checker->request_length, MSG_NOSIGNAL) < 0) {
		if (errno == ECONNREFUSED)
			fail(checker, CHECK_FAIL_REFUSED, "port unreachable");
		else
			fail_errno(checker, "send", errno);
		return false;
	}
	checker->request_sent = checker->request_length;
	return true;
}

static void send_request(struct checker *checker)
{
	checker->phase = PHASE_SEND;
	if (is_datagram(checker) && !send_datagram(checker))
		return;
	while (checker->request_sent < checker->request_length) {
		const uint8_t *at = checker->request + checker->request_sent;
		size_t left = checker->request_length - checker->request_sent;
		ssize_t n;

		if (checker->ssl) {
			errno = 0;
			n = SSL_write(checker->ssl, at, (int)left);
			if (n <= 0) {
				tls_problem(checker, (int)n, "TLS write");
				return;
			}
		} else {
			n = send(checker->fd, at, left, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN) {
				health_watch(checker, checker->fd, EPOLLOUT);
				return;
			}
			if (n < 0) {
				fail_errno(checker, "send", errno);
				return;
			}
		}
		checker->request_sent += (size_t)n;
	}
	/* Nothing to say on a stream: the connection itself is the test. */
	if (!checker->protocol->reply || (!checker->request_length && !is_datagram(checker))) {
		health_finish(checker, CHECK_FAIL_NONE,
			      checker->request_length ? "request sent" : "connected");
		return;
	}
	checker->phase = PHASE_RECEIVE;
	if (health_watch(checker, checker->fd, EPOLLIN)) {
		fail_errno(checker, "epoll", errno);
		return;
	}
	receive(checker); /* TLS may hold bytes already */
}

static void handshake(struct checker *checker)
{
	int ret;

	errno = 0;
	ret = SSL_connect(checker->ssl);

	if (ret == 1)
		send_request(checker);
	else
		tls_problem(checker, ret, "TLS handshake");
}

/* SNI: the host option; an address is not a name (RFC 6066 section 3). */
static void tls_start(struct checker *checker)
{
	SSL_CTX *context = checker->health->tls;

	checker->phase = PHASE_HANDSHAKE;
	checker->ssl = context ? SSL_new(context) : NULL;
	if (!checker->ssl || !SSL_set_fd(checker->ssl, checker->fd) ||
	    (checker->check.host && !SSL_set_tlsext_host_name(checker->ssl, checker->check.host))) {
		ERR_clear_error();
		fail(checker, CHECK_FAIL_INTERNAL, "TLS unavailable");
		return;
	}
	SSL_set_connect_state(checker->ssl);
	handshake(checker);
}

static void connected(struct checker *checker)
{
	int err = 0;
	socklen_t length = sizeof(err);

	if (getsockopt(checker->fd, SOL_SOCKET, SO_ERROR, &err, &length))
		err = errno;
	if (err)
		fail_errno(checker, "connect", err);
	else if (checker->protocol->tls)
		tls_start(checker);
	else
		send_request(checker);
}

void socket_run_event(struct checker *checker, uint32_t events)
{
	(void)events;
	switch (checker->phase) {
	case PHASE_CONNECT:
		connected(checker);
		break;
	case PHASE_HANDSHAKE:
		handshake(checker);
		break;
	case PHASE_SEND:
		send_request(checker);
		break;
	case PHASE_RECEIVE:
		receive(checker);
		break;
	default:
		break;
	}
}

/* The run's context, request and reply buffer. Returns 0 or negative errno. */
static int run_prepare(struct checker *checker)
{
	struct check_context *context = &checker->context;
	int length;

	memset(context, 0, sizeof(*context));
	context->check = &checker->check;
	context->address = checker->target;
	context->port = checker->target_port;
	context->service_proto = checker->service_proto;
	context->sequence = ++checker->sequence;
	if (getrandom(context->nonce, sizeof(context->nonce), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(context->nonce))
		for (size_t i = 0; i < sizeof(context->nonce); i++)
			context->nonce[i] = (uint8_t)random();
	checker->request = malloc(HEALTH_REQUEST_MAX);
	/* A stream's reply is judged within reply_max bytes; a datagram is
	 * read whole (one byte more tells it is oversized). */
	checker->reply_capacity = checker->protocol->reply_max + 1;
	checker->reply = malloc(checker->reply_capacity);
	checker->reply_length = checker->request_sent = checker->request_length = 0;
	checker->datagrams = 0;
	if (!checker->request || !checker->reply)
		return -ENOMEM;
	length = checker->protocol->request(context, checker->request, HEALTH_REQUEST_MAX);
	if (length < 0)
		return length;
	checker->request_length = (size_t)(length > HEALTH_REQUEST_MAX ? HEALTH_REQUEST_MAX
									: length);
	return 0;
}

static socklen_t sockaddr_of(const struct checker *checker, struct sockaddr_storage *storage)
{
	memset(storage, 0, sizeof(*storage));
	if (checker->target.family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)storage;

		in->sin_family = AF_INET;
		in->sin_addr = checker->target.v4;
		in->sin_port = htons(checker->target_port);
		return sizeof(*in);
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)storage;

	in6->sin6_family = AF_INET6;
	in6->sin6_addr = checker->target.v6;
	in6->sin6_port = htons(checker->target_port);
	return sizeof(*in6);
}

int socket_run_start(struct checker *checker)
{
	int type = is_datagram(checker) ? SOCK_DGRAM : SOCK_STREAM;
	struct sockaddr_storage address;
	socklen_t length;
	int ret;

	checker->phase = PHASE_CONNECT;
	if (checker->namespace_name[0] && checker->netns_fd < 0) {
		ret = netns_open(checker->namespace_name);
		if (ret < 0) {
			fail(checker, CHECK_FAIL_INTERNAL, "namespace %s: %s",
			     checker->namespace_name, strerror(-ret));
			return 0;
		}
		checker->netns_fd = ret;
	}
	ret = run_prepare(checker);
	if (ret) {
		fail(checker, CHECK_FAIL_INTERNAL, "request: %s", strerror(-ret));
		return 0;
	}
	ret = netns_socket(checker->netns_fd, checker->target.family, type | SOCK_NONBLOCK, 0);
	if (ret < 0)
		return ret;
	checker->fd = ret;
	length = sockaddr_of(checker, &address);
	if (connect(checker->fd, (struct sockaddr *)&address, length) && errno != EINPROGRESS) {
		fail_errno(checker, "connect", errno);
		return 0;
	}
	if (type == SOCK_DGRAM) {
		send_request(checker);
		return 0;
	}
	return health_watch(checker, checker->fd, EPOLLOUT);
}

void socket_run_timeout(struct checker *checker, char *detail, size_t size)
{
	unsigned int ms = checker->check.timeout_ms;

	switch (checker->phase) {
	case PHASE_CONNECT:
		snprintf(detail, size, "connect: no answer within %u ms", ms);
		break;
	case PHASE_HANDSHAKE:
		snprintf(detail, size, "TLS handshake not done within %u ms", ms);
		break;
	case PHASE_SEND:
		snprintf(detail, size, "request not taken within %u ms", ms);
		break;
	default:
		if (checker->reply_length)
			snprintf(detail, size, "incomplete reply (%zu bytes) within %u ms",
				 checker->reply_length, ms);
		else
			snprintf(detail, size, "no reply within %u ms", ms);
		break;
	}
}

void socket_run_stop(struct checker *checker)
{
	if (checker->ssl)
		SSL_free(checker->ssl);
	checker->ssl = NULL;
	/* Explicitly: close() alone leaves the registration while another
	 * descriptor shares the socket. */
	if (checker->fd >= 0 && checker->events)
		epoll_ctl(checker->health->epoll_fd, EPOLL_CTL_DEL, checker->fd, NULL);
	if (checker->fd >= 0)
		close(checker->fd);
	checker->fd = -1;
	checker->events = 0;
	free(checker->request);
	free(checker->reply);
	checker->request = checker->reply = NULL;
}
