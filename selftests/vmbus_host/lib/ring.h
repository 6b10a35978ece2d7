/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest side of a VMBus ring buffer pair, as drivers/hv/ring_buffer.c runs
 * it, for the userspace test guest: write to the guest->host ring, read the
 * host->guest ring, interrupt mask and pending_send_sz.
 */
#ifndef _VMBH_TEST_RING_H
#define _VMBH_TEST_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define TG_PAGE_SIZE		4096u
#define TG_RING_TRAILER		8u
#define TG_PKT_DESC_SIZE	16u

/* Packet types (vmbus-protocol.md 4.3). */
#define TG_PKT_DATA_INBAND		0x6
#define TG_PKT_DATA_XFER_PAGES		0x7
#define TG_PKT_DATA_GPA_DIRECT		0x9
#define TG_PKT_COMP			0xB
#define TG_PKT_FLAG_COMPLETION_REQUESTED	0x1

/*
 * READ_ONCE/WRITE_ONCE for memory the host (or another thread) changes
 * under us: the ring header and packets in the rings. Macros rather than
 * inline functions: the ring structures are packed, and the address of a
 * packed member must not be passed on as a plain (aligned) pointer.
 */
#define tg_load(p)	__atomic_load_n((p), __ATOMIC_RELAXED)
#define tg_store(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)

/* Ring header words, as OpenVMM reads them (vmbus-protocol.md 4.1). */
struct tg_ring_hdr {
	uint32_t write_index;
	uint32_t read_index;
	uint32_t interrupt_mask;
	uint32_t pending_send_sz;
	uint32_t reserved1[12];
	uint32_t feature_bits;
	uint8_t reserved2[TG_PAGE_SIZE - 68];
} __attribute__((packed));

struct tg_pkt_desc {
	uint16_t type;
	uint16_t offset8;
	uint16_t len8;
	uint16_t flags;
	uint64_t trans_id;
} __attribute__((packed));

/* One direction: header page followed by the data area. */
struct tg_ring {
	struct tg_ring_hdr *hdr;	/* shared: tg_load()/tg_store() */
	uint8_t *data;
	uint32_t dsize;
	/* consumer only: where the next packet starts, published at close */
	uint32_t priv_read;
	/* consumer only: read_index at the start of this drain */
	uint32_t start_read;
};

/* A packet copied out of the host->guest ring. */
struct tg_pkt {
	struct tg_pkt_desc desc;	/* sanitised copy */
	uint32_t len;			/* len8 * 8, descriptor included */
	uint8_t *buf;			/* whole packet, descriptor first */
	const void *payload;		/* buf + offset8 * 8 */
	uint32_t payload_len;
};

void tg_ring_init(struct tg_ring *r, void *base, uint32_t bytes);
void tg_ring_attach(struct tg_ring *r, void *base, uint32_t bytes);

uint32_t tg_ring_bytes_to_read(const struct tg_ring *r);
uint32_t tg_ring_bytes_to_write(const struct tg_ring *r);

/*
 * Producer: write one packet made of @iov (the first element starts with the
 * descriptor) plus its trailer. Returns 0, -EAGAIN when full (the Linux rule:
 * free space must exceed the packet) or -EIO when the consumer's index is
 * corrupt. *@signal tells whether the guest must now signal the host.
 */
int tg_ring_write(struct tg_ring *r, const struct iovec *iov, int iovcnt,
		  bool *signal);

/* Producer helper: in-band packet of @type with @payload. */
int tg_ring_send(struct tg_ring *r, uint16_t type, uint16_t flags,
		 uint64_t trans_id, const void *payload, uint32_t len,
		 bool *signal);

/*
 * Consumer: copy the next packet into @buf (at most @buflen bytes) without
 * consuming it. Returns 1 with @pkt filled, 0 when empty, -EMSGSIZE when the
 * packet is bigger than @buflen, -EIO for a descriptor that does not fit the
 * bytes available.
 */
int tg_ring_peek(struct tg_ring *r, void *buf, uint32_t buflen,
		 struct tg_pkt *pkt);
void tg_ring_next(struct tg_ring *r, const struct tg_pkt *pkt);

/*
 * Consumer: publish the read index. Returns true when the host waits for
 * space (pending_send_sz) and this drain gave it enough: signal the host.
 */
bool tg_ring_close(struct tg_ring *r);

/* hv_begin_read / hv_end_read: returns bytes still to read after unmask. */
void tg_ring_mask(struct tg_ring *r);
uint32_t tg_ring_unmask(struct tg_ring *r);

/* Producer flow control: ask to be signalled when @bytes are free. */
void tg_ring_set_pending_send(struct tg_ring *r, uint32_t bytes);

#endif /* _VMBH_TEST_RING_H */
