/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A storvsc-like guest for the storvsp kselftests, on top of the vmbus_host
 * test guest (../vmbus_host/lib): device setup with a WWPN, the VSTOR
 * handshake, SRBs with GPA-direct data buffers, raw packets for hostile
 * tests.
 */
#ifndef _STORVSP_TEST_SV_H
#define _STORVSP_TEST_SV_H

#include <stdbool.h>
#include <stdint.h>

#include "guest.h"
#include "vstor_proto.h"

#define SV_MAX_Q		8
#define SV_RING_PAGES		32	/* 128 KiB each way, as storvsc */
#define SV_MEM			(256ul << 20)
#define SV_TID_INIT		0xFFFFFFFFFFFFFFFDull	/* VMBUS_RQST_INIT */

struct sv {
	struct tg_vm vm;
	struct tg_dev dev;
	struct tg_chan ch[SV_MAX_Q];
	bool open[SV_MAX_Q];
	uint32_t nr_queues;
	uint16_t version;
	struct vmstorage_channel_properties props;
	uint64_t next_tid;
};

/* One SCSI command; the data buffer lives in guest memory. */
struct sv_srb {
	uint8_t cdb[16];
	uint8_t cdb_len;
	uint8_t data_in;		/* VSTOR_DATA_* */
	uint8_t path, target, lun;
	void *buf;			/* in guest memory, or NULL */
	uint32_t len;
	struct vstor_packet reply;	/* out */
};

/* VMBH_ADD_DEVICE of a SCSI controller serving @wwpn: 0 or -errno. */
int sv_dev_add(struct tg_vm *vm, struct tg_dev *dev, const char *wwpn,
	       uint32_t nr_queues, uint8_t seed);
/*
 * A VM with @nr_queues queues for @wwpn, connected, primary open; 0 or
 * -errno (add-device errors come back as they are).
 */
int sv_start(struct sv *s, const char *wwpn, uint32_t nr_queues);
void sv_stop(struct sv *s);

/* Send an in-band VSTOR operation and wait for its reply. 0 or -errno. */
int sv_op(struct tg_chan *ch, uint32_t op, uint16_t arg,
	  struct vstor_packet *reply);
/* The storvsc handshake at @version; returns the first non-zero status. */
uint32_t sv_init(struct sv *s, uint16_t version);
/* CREATE_SUB_CHANNELS(@n) and open the offered subchannels: 0 or -errno. */
int sv_subchannels(struct sv *s, uint16_t n);

/* Queue an SRB on @ch with transaction id @tid: 0, -EAGAIN (ring full). */
int sv_srb_send(struct tg_chan *ch, uint64_t tid, const struct sv_srb *r);
/*
 * Next packet on @ch into @reply: 1, 0 when none came within @ms,
 * -EMSGSIZE for one the Linux guest would drop as too short, -errno.
 */
int sv_recv(struct tg_chan *ch, uint64_t *tid, struct vstor_packet *reply,
	    uint16_t *type, int ms);
/* Send and wait: 0 with r->reply filled, or -errno. */
int sv_srb_sync(struct sv *s, int q, struct sv_srb *r);

/*
 * A raw packet: @type, @flags, then @hdr (GPA-direct header and ranges,
 * placed before the payload), then @payload. 0 or -errno.
 */
int sv_send_raw(struct tg_chan *ch, uint16_t type, uint16_t flags,
		uint64_t tid, const void *hdr, uint32_t hdr_len,
		const void *payload, uint32_t payload_len);

/* State and counters of queue @q, from VMBH_GET_CHANNEL_STATS. */
int sv_stats(struct sv *s, int q, struct vmbh_channel_stats *st);
/* Whether the module failed queue @q's channel (within @ms). */
bool sv_failed(struct sv *s, int q, int ms);

/* CDB builders */
void sv_cdb_rw(struct sv_srb *r, bool write, uint64_t lba, uint32_t blocks,
	       bool fua);
void sv_cdb_inquiry(struct sv_srb *r, bool evpd, uint8_t page, uint16_t alloc);

/* Guest memory for data buffers. */
void *sv_alloc(struct sv *s, uint32_t bytes);
void sv_free(struct sv *s, void *p, uint32_t bytes);

#endif /* _STORVSP_TEST_SV_H */
