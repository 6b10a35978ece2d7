/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netvsc side of the netvsp kselftests: a userspace guest (built on
 * selftests/vmbus_host/lib) that brings a NET device up over NVSP and
 * RNDIS, sends frames (send-buffer sections, GPA pages, batches, PPIs)
 * and receives them, plus the tap, bridge and peer-namespace plumbing.
 */
#ifndef _NV_H
#define _NV_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <sys/uio.h>

#include "guest.h"
#include "netvsp_parse.h"

#define NV_RING_PAGES		32
#define NV_RECV_BUF_PAGES	512		/* 2 MiB */
#define NV_SEND_BUF_PAGES	255		/* 170 sections of 6144 bytes */
#define NV_SECTION		6144
#define NV_RECV_GPADL		0x1000
#define NV_SEND_GPADL		0x1001
#define NV_WAIT_MS		3000
#define NV_QUEUES		4
#define NV_MSG_MAX		2048

extern const uint8_t nv_guest_mac[6];
extern const uint8_t nv_peer_mac[6];

/* The test network: bridge, tap port, and a veth into namespace "nvpeer". */
#define NV_BRIDGE		"nvbr0"
#define NV_NETNS		"nvpeer"
#define NV_GUEST_IP		0x0a630001	/* 10.99.0.1 */
#define NV_PEER_IP		0x0a630002	/* 10.99.0.2 */
#define NV_VLAN_ID		5
#define NV_VLAN_GUEST_IP	0x0a630501	/* 10.99.5.1 */
#define NV_VLAN_PEER_IP		0x0a630502	/* 10.99.5.2 */

/* One RNDIS message taken from a transfer-page packet. */
struct nv_msg {
	struct nv_msg *next;
	uint32_t channel_type;
	uint32_t queue;
	uint32_t len;
	uint8_t data[NV_MSG_MAX];
};

struct nv {
	struct tg_vm vm;
	struct tg_dev dev;
	struct tg_chan ch;			/* the primary */
	struct tg_chan sub[NV_QUEUES];		/* [1..] open subchannels */
	uint32_t nr_queues;			/* open channels */
	uint32_t sub_recv_pages;		/* subchannels' host->guest
						 * ring, 0: NV_RING_PAGES
						 */
	uint32_t prim_recv_pages;		/* the primary's, likewise */
	int tap;
	int peer;				/* packet socket on the tap */
	char tapname[IFNAMSIZ];
	uint8_t *recv_buf;
	uint8_t *send_buf;
	uint32_t sub_alloc;
	uint32_t num_sub;
	uint32_t req_id;
	uint64_t tid;
	/* RNDIS messages received and completed, not yet consumed */
	struct nv_msg *head;
	struct nv_msg **tail;
	uint32_t queued;
	/* SEND_INDIRECTION_TABLE seen on the primary */
	uint32_t indirection[16];
	bool indirection_seen;
	/* guest IP/MAC of the peer resolved by ARP */
	uint8_t peer_hw[6];
	uint32_t arp_answered;
};

struct nv_range {
	const void *p;		/* inside guest memory */
	uint32_t len;
};

/* tap, peer socket, interfaces */
int nv_tap_open(char *name, bool vnet);
int nv_link_up(const char *name);
int nv_packet_socket(const char *name);
int nv_peer_read(int s, uint8_t *buf, uint32_t cap, int ms);
int nv_sh(const char *fmt, ...);
int nv_tx_csum_off(const char *ifname);

/* bring-up */
int nv_dev_add(struct tg_vm *vm, struct tg_dev *dev, int tap_fd,
	       uint32_t nr_queues, uint32_t mtu);
int nv_bringup(struct nv *n, uint32_t version, bool vnet, uint32_t queues);
int nv_start(struct nv *n, int tap, uint32_t version, uint32_t queues);
int nv_init_nvsp(struct nv *n, uint32_t version);
int nv_buffers(struct nv *n);
int nv_rndis_init(struct nv *n);
void nv_teardown(struct nv *n);
uint32_t nv_state(struct nv *n, uint32_t queue);
int nv_subchannels(struct nv *n, uint32_t want, uint32_t *granted);

/* NVSP requests and the host's packets */
struct tg_chan *nv_chan(struct nv *n, uint32_t queue);
int nv_poll(struct nv *n, uint64_t tid, struct nvsp_message *reply, int ms);
int nv_request(struct nv *n, const struct nvsp_message *m,
	       struct nvsp_message *reply);
int nv_post(struct nv *n, const struct nvsp_message *m);
int nv_send_rndis_on(struct nv *n, uint32_t queue, uint32_t channel_type,
		     uint32_t sec, const void *msg, uint32_t len);
int nv_send_rndis(struct nv *n, uint32_t channel_type, uint32_t sec,
		  const void *msg, uint32_t len);
int nv_send_gpa(struct nv *n, uint32_t queue, uint64_t tid,
		uint32_t channel_type, uint32_t sec, uint32_t sec_len,
		const struct nv_range *r, uint32_t nr);
int nv_send_gpa_wait(struct nv *n, uint32_t queue, uint32_t channel_type,
		     uint32_t sec, uint32_t sec_len, const struct nv_range *r,
		     uint32_t nr);
int nv_next_msg(struct nv *n, int channel_type, struct nv_msg **out, int ms);
int nv_recv_rndis(struct nv *n, void *out, uint32_t cap,
		  uint32_t *channel_type, uint32_t *nranges);
int nv_oid(struct nv *n, uint32_t type, uint32_t oid, const void *data,
	   uint32_t dlen, uint8_t *r, uint32_t cap);
int nv_set_status(struct nv *n, uint32_t oid, const void *data, uint32_t len);
int nv_set_filter(struct nv *n, uint32_t filter);
int nv_set_rss(struct nv *n, const uint8_t *key, const uint32_t *table,
	       uint32_t entries, uint32_t hashinfo);

/* frames */
uint32_t nv_packet(uint8_t *m, const void *frame, uint32_t flen,
		   const uint32_t *types, const uint32_t *vals, int nppi);
uint32_t nv_udp_frame(uint8_t *f, const uint8_t *dst, const uint8_t *src,
		      uint32_t payload, uint8_t seed);
uint32_t nv_ip_udp(uint8_t *f, const uint8_t *dst_mac, uint32_t saddr,
		   uint32_t daddr, uint16_t sport, uint16_t dport,
		   const void *payload, uint32_t plen, bool csum);
uint32_t nv_ip_tcp(uint8_t *f, const uint8_t *dst_mac, uint32_t saddr,
		   uint32_t daddr, uint16_t sport, uint16_t dport,
		   uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
		   const void *payload, uint32_t plen);
uint32_t nv_ip_hdr(uint8_t *f, const uint8_t *dst_mac, uint32_t saddr,
		   uint32_t daddr, uint8_t proto, uint32_t l4len);
uint16_t nv_csum(const void *p, uint32_t len, uint32_t sum);
bool nv_l4_csum_ok(const uint8_t *f, uint32_t len);
int nv_tap_read(int fd, uint8_t *buf, uint32_t cap, int ms);

/* a frame from the guest's receive path, answering ARP for the guest */
struct nv_frame {
	uint8_t data[NV_MSG_MAX];
	uint32_t len;
	uint32_t queue;
	struct vmbh_rndis_pkt ppi;
};

int nv_rx_frame(struct nv *n, struct nv_frame *f, int ms);
int nv_send_frame(struct nv *n, const void *frame, uint32_t len,
		  const uint32_t *types, const uint32_t *vals, int nppi);
int nv_arp_resolve(struct nv *n, uint32_t ip, uint8_t *mac);

/* the bridge network and processes in the peer namespace */
int nv_net_setup(const char *tapname);
void nv_net_teardown(void);
pid_t nv_peer_spawn(int (*fn)(void *arg, int out), void *arg, int *rd);
int nv_peer_wait(pid_t pid);

#endif /* _NV_H */
