// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of a VMBus ring buffer pair for the userspace test guest,
 * following drivers/hv/ring_buffer.c step by step (barriers included).
 */
#include <errno.h>
#include <string.h>

#include "ring.h"

#define tg_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define tg_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)

void tg_ring_attach(struct tg_ring *r, void *base, uint32_t bytes)
{
	r->hdr = base;
	r->data = (uint8_t *)base + TG_PAGE_SIZE;
	r->dsize = bytes - TG_PAGE_SIZE;
	r->priv_read = tg_load(&r->hdr->read_index);
	r->start_read = r->priv_read;
}

/* hv_ringbuffer_init: zero header, indices 0, pending_send_sz feature. */
void tg_ring_init(struct tg_ring *r, void *base, uint32_t bytes)
{
	memset(base, 0, TG_PAGE_SIZE);
	((struct tg_ring_hdr *)base)->feature_bits = 1;
	tg_ring_attach(r, base, bytes);
}

static uint32_t tg_ring_avail_write(uint32_t rd, uint32_t wr, uint32_t dsize)
{
	return wr >= rd ? dsize - (wr - rd) : rd - wr;
}

uint32_t tg_ring_bytes_to_write(const struct tg_ring *r)
{
	uint32_t rd = tg_load(&r->hdr->read_index);
	uint32_t wr = tg_load(&r->hdr->write_index);

	return tg_ring_avail_write(rd, wr, r->dsize);
}

uint32_t tg_ring_bytes_to_read(const struct tg_ring *r)
{
	uint32_t wr = tg_load_acquire(&r->hdr->write_index);

	if (wr >= r->priv_read)
		return wr - r->priv_read;
	return r->dsize - r->priv_read + wr;
}

static uint32_t tg_copy_to_ring(struct tg_ring *r, uint32_t off,
				const void *src, uint32_t len)
{
	uint32_t first = r->dsize - off;

	if (len <= first) {
		memcpy(r->data + off, src, len);
	} else {
		memcpy(r->data + off, src, first);
		memcpy(r->data, (const uint8_t *)src + first, len - first);
	}
	off += len;
	if (off >= r->dsize)
		off -= r->dsize;
	return off;
}

static void tg_copy_from_ring(const struct tg_ring *r, uint32_t off,
			      void *dst, uint32_t len)
{
	uint32_t first = r->dsize - off;

	if (len <= first) {
		memcpy(dst, r->data + off, len);
	} else {
		memcpy(dst, r->data + off, first);
		memcpy((uint8_t *)dst + first, r->data, len - first);
	}
}

int tg_ring_write(struct tg_ring *r, const struct iovec *iov, int iovcnt,
		  bool *signal)
{
	uint32_t total = TG_RING_TRAILER, rd, old_wr, wr;
	uint64_t trailer;
	int i;

	*signal = false;
	for (i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;

	rd = tg_load(&r->hdr->read_index);
	old_wr = tg_load(&r->hdr->write_index);
	if (rd >= r->dsize || old_wr >= r->dsize)
		return -EIO;
	if (tg_ring_avail_write(rd, old_wr, r->dsize) <= total)
		return -EAGAIN;

	wr = old_wr;
	for (i = 0; i < iovcnt; i++)
		wr = tg_copy_to_ring(r, wr, iov[i].iov_base, iov[i].iov_len);
	trailer = (uint64_t)old_wr << 32;
	wr = tg_copy_to_ring(r, wr, &trailer, sizeof(trailer));

	/* packet bytes before the index that publishes them */
	tg_mb();
	tg_store(&r->hdr->write_index, wr);

	/* hv_signal_on_write: index store before the mask/read_index loads */
	tg_mb();
	if (tg_load(&r->hdr->interrupt_mask))
		return 0;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (old_wr == tg_load(&r->hdr->read_index))
		*signal = true;
	return 0;
}

int tg_ring_send(struct tg_ring *r, uint16_t type, uint16_t flags,
		 uint64_t trans_id, const void *payload, uint32_t len,
		 bool *signal)
{
	static const uint8_t zero[8];
	uint32_t padded = (len + 7) & ~7u;
	struct tg_pkt_desc desc = {
		.type = type,
		.offset8 = TG_PKT_DESC_SIZE / 8,
		.len8 = (TG_PKT_DESC_SIZE + padded) / 8,
		.flags = flags,
		.trans_id = trans_id,
	};
	struct iovec iov[3] = {
		{ &desc, sizeof(desc) },
		{ (void *)payload, len },
		{ (void *)zero, padded - len },
	};

	return tg_ring_write(r, iov, 3, signal);
}

int tg_ring_peek(struct tg_ring *r, void *buf, uint32_t buflen,
		 struct tg_pkt *pkt)
{
	uint32_t avail = tg_ring_bytes_to_read(r);
	struct tg_pkt_desc d;
	uint32_t len, off;

	if (avail == 0)
		return 0;
	if (avail < TG_PKT_DESC_SIZE + TG_RING_TRAILER)
		return -EIO;
	tg_copy_from_ring(r, r->priv_read, &d, sizeof(d));
	len = (uint32_t)d.len8 * 8;
	off = (uint32_t)d.offset8 * 8;
	if (len < TG_PKT_DESC_SIZE || off < TG_PKT_DESC_SIZE || off > len ||
	    len + TG_RING_TRAILER > avail)
		return -EIO;
	if (len > buflen)
		return -EMSGSIZE;
	/* copy once; the copy is what gets parsed */
	tg_copy_from_ring(r, r->priv_read, buf, len);
	memcpy(&pkt->desc, buf, sizeof(pkt->desc));
	pkt->desc.len8 = len / 8;
	pkt->desc.offset8 = off / 8;
	pkt->len = len;
	pkt->buf = buf;
	pkt->payload = (uint8_t *)buf + off;
	pkt->payload_len = len - off;
	return 1;
}

void tg_ring_next(struct tg_ring *r, const struct tg_pkt *pkt)
{
	r->priv_read += pkt->len + TG_RING_TRAILER;
	if (r->priv_read >= r->dsize)
		r->priv_read -= r->dsize;
}

/* hv_pkt_iter_close */
bool tg_ring_close(struct tg_ring *r)
{
	uint32_t start = r->start_read, pending, write_sz, bytes_read;

	/* packet reads before the index that frees their space */
	tg_mb();
	tg_store(&r->hdr->read_index, r->priv_read);
	r->start_read = r->priv_read;

	if (!(tg_load(&r->hdr->feature_bits) & 1))
		return false;
	/* read_index store before the pending_send_sz load */
	tg_mb();
	pending = tg_load(&r->hdr->pending_send_sz);
	if (!pending)
		return false;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	write_sz = tg_ring_bytes_to_write(r);
	bytes_read = r->priv_read >= start ? r->priv_read - start :
		     r->dsize - start + r->priv_read;
	if (write_sz - bytes_read > pending)
		return false;
	if (write_sz <= pending)
		return false;
	return true;
}

void tg_ring_mask(struct tg_ring *r)
{
	tg_store(&r->hdr->interrupt_mask, 1);
	tg_mb();
}

uint32_t tg_ring_unmask(struct tg_ring *r)
{
	tg_store(&r->hdr->interrupt_mask, 0);
	tg_mb();
	return tg_ring_bytes_to_read(r);
}

void tg_ring_set_pending_send(struct tg_ring *r, uint32_t bytes)
{
	tg_store(&r->hdr->pending_send_sz, bytes);
	tg_mb();
}
