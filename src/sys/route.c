/* SPDX-License-Identifier: MIT */
/* route.c - RTM_GETROUTE for one address: which interface, gateway and source the kernel picks. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "sys/route.h"

struct route_request {
	struct nlmsghdr nh;
	struct rtmsg rt;
	char attrs[64];
};

static void add_attr(struct nlmsghdr *nh, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* The attributes of one RTM_NEWROUTE answer into r. */
static void parse_route(const struct nlmsghdr *nh, struct route_info *r)
{
	const struct rtmsg *rt = NLMSG_DATA(nh);
	int len = (int)RTM_PAYLOAD(nh);

	for (const struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type) {
		case RTA_OIF: {
			unsigned idx;

			memcpy(&idx, RTA_DATA(a), sizeof(idx));
			r->ifindex = idx;
			if (!if_indextoname(idx, r->ifname))
				snprintf(r->ifname, sizeof(r->ifname), "if%u", idx);
			break;
		}
		case RTA_GATEWAY:
			inet_ntop(rt->rtm_family, RTA_DATA(a), r->gateway, sizeof(r->gateway));
			break;
		case RTA_PREFSRC:
			inet_ntop(rt->rtm_family, RTA_DATA(a), r->source, sizeof(r->source));
			break;
		default:
			break;
		}
	}
}

int route_get(const char *addr, struct route_info *r)
{
	struct route_request req;
	unsigned char bin[16];
	size_t blen;
	int family;
	char buf[8192];
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	const struct timeval tv = {.tv_sec = 1};
	int ret;

	memset(r, 0, sizeof(*r));
	if (inet_pton(AF_INET, addr, bin) == 1) {
		family = AF_INET;
		blen = 4;
	} else if (inet_pton(AF_INET6, addr, bin) == 1) {
		family = AF_INET6;
		blen = 16;
	} else {
		return -EINVAL;
	}
	snprintf(r->dst, sizeof(r->dst), "%s", addr);

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.rt.rtm_family = (unsigned char)family;
	req.rt.rtm_dst_len = (unsigned char)(blen * 8);
	add_attr(&req.nh, RTA_DST, bin, blen);

	const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		ret = -errno;
		goto out;
	}
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		int left = (int)n;
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_seq != 1)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				ret = e->error ? e->error : -ENOENT;
				goto out;
			}
			if (nh->nlmsg_type == RTM_NEWROUTE) {
				const struct rtmsg *rt = NLMSG_DATA(nh);

				/* unreachable, prohibit and blackhole routes lead nowhere. */
				if (rt->rtm_type != RTN_UNICAST && rt->rtm_type != RTN_LOCAL) {
					ret = -EHOSTUNREACH;
					goto out;
				}
				parse_route(nh, r);
				ret = r->ifname[0] ? 0 : -ENOENT;
				goto out;
			}
		}
	}
out:
	close(fd);
	return ret;
}

int route_resolve(const char *host, char *addr, size_t len)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
	struct addrinfo *res = NULL;
	int ret = -ENOENT;

	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return -ENOENT;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		const void *p =
			ai->ai_family == AF_INET
				? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
				: (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
		    inet_ntop(ai->ai_family, p, addr, (socklen_t)len)) {
			ret = 0;
			break;
		}
	}
	freeaddrinfo(res);
	return ret;
}

/* A tbf qdisc's rate from its TCA_OPTIONS: TCA_TBF_RATE64 when the rate needs it, else PARMS. */
static uint64_t tbf_rate(const struct rtattr *opts)
{
	int len = (int)RTA_PAYLOAD(opts);
	uint64_t rate = 0;
	uint64_t rate64 = 0;

	for (const struct rtattr *a = RTA_DATA(opts); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == TCA_TBF_PARMS && RTA_PAYLOAD(a) >= sizeof(struct tc_tbf_qopt)) {
			struct tc_tbf_qopt q;

			memcpy(&q, RTA_DATA(a), sizeof(q));
			rate = q.rate.rate;
		} else if (a->rta_type == TCA_TBF_RATE64 && RTA_PAYLOAD(a) >= sizeof(rate64)) {
			memcpy(&rate64, RTA_DATA(a), sizeof(rate64));
		}
	}
	return rate64 ? rate64 : rate;
}

/* One RTM_NEWQDISC: the rate when it is a tbf at ifindex's root, else 0. */
static uint64_t root_tbf(const struct nlmsghdr *nh, unsigned ifindex)
{
	const struct tcmsg *tc = NLMSG_DATA(nh);
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*tc));
	bool tbf = false;
	const struct rtattr *opts = NULL;

	if (len < 0 || (unsigned)tc->tcm_ifindex != ifindex || tc->tcm_parent != TC_H_ROOT)
		return 0;
	for (const struct rtattr *a = (const struct rtattr *)((const char *)tc +
							       NLMSG_ALIGN(sizeof(*tc)));
	     RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == TCA_KIND)
			tbf = !strncmp(RTA_DATA(a), "tbf", RTA_PAYLOAD(a));
		else if (a->rta_type == TCA_OPTIONS)
			opts = a;
	}
	return tbf && opts ? tbf_rate(opts) : 0;
}

int route_tbf_rate(unsigned ifindex, uint64_t *bytes_s)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req;
	char buf[32768];
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	const struct timeval tv = {.tv_sec = 1};
	int ret = -ENOENT;

	*bytes_s = 0;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
	req.nh.nlmsg_type = RTM_GETQDISC;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 2;
	req.tc.tcm_family = AF_UNSPEC;
	const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		const ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : ret;
			goto out;
		}
		int left = (int)n;
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_seq != 2)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				goto out;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);
				ret = e->error ? e->error : ret;
				goto out;
			}
			const uint64_t rate =
				nh->nlmsg_type == RTM_NEWQDISC ? root_tbf(nh, ifindex) : 0;
			if (rate) {
				*bytes_s = rate;
				ret = 0;
			}
		}
	}
out:
	close(fd);
	return ret;
}
