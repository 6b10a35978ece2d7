// SPDX-License-Identifier: GPL-2.0
/*
 * Pure checks of guest-written data: ring index math, packet descriptors,
 * GPA ranges, the ring GPADL layout and the memory table.
 *
 * Builds both in vmbus_host.ko and in userspace: the tier-0 unit tests
 * (selftests/vmbus_host/unit) compile it with -Iinclude -Iinclude/uapi.
 * Keep it free of kernel-only includes.
 */
#include "ring_check.h"

/**
 * vmbh_ring_index_ok() - is a guest-written ring index usable
 * @index: write_index or read_index from a ring header
 * @size: bytes of the ring's data area
 *
 * Return: true when @index is inside the data area and 8-byte aligned.
 */
bool vmbh_ring_index_ok(__u32 index, __u32 size)
{
	return index < size && !(index & 7);
}

/**
 * vmbh_ring_bytes_to_read() - bytes the consumer may read
 * @write: producer index
 * @read: consumer index
 * @size: bytes of the data area
 *
 * Return: bytes between @read and @write; 0 means empty.
 */
__u32 vmbh_ring_bytes_to_read(__u32 write, __u32 read, __u32 size)
{
	return write >= read ? write - read : size - read + write;
}

/**
 * vmbh_ring_bytes_to_write() - free bytes for the producer
 * @write: producer index
 * @read: consumer index
 * @size: bytes of the data area
 *
 * A ring is never filled completely: a write of n bytes (trailer
 * included) needs strictly more than n free bytes, so equal indices mean
 * @size free.
 *
 * Return: free bytes, 1 to @size.
 */
__u32 vmbh_ring_bytes_to_write(__u32 write, __u32 read, __u32 size)
{
	return size - vmbh_ring_bytes_to_read(write, read, size);
}

/**
 * vmbh_ring_space_signal() - should a consumer signal the producer
 * @pending_send_sz: the producer's pending_send_sz, as written by it
 * @avail_now: free bytes for the producer after the read index moved
 * @bytes_read: bytes the consumer just released
 * @size: bytes of the data area
 *
 * Linux's hv_pkt_iter_close() rule: signal only when free space went
 * from "not enough" to "enough" during this drain.  The value is rounded
 * down to 8 (some producers write ring size - 1); values beyond the ring
 * can never be satisfied.
 *
 * Return: true when the producer must be signalled.
 */
bool vmbh_ring_space_signal(__u32 pending_send_sz, __u32 avail_now,
			    __u32 bytes_read, __u32 size)
{
	__u32 pending = pending_send_sz & ~7U;

	if (!pending || pending >= size)
		return false;
	if (avail_now <= pending)
		return false;
	return avail_now - bytes_read <= pending;
}

/**
 * vmbh_pkt_desc_check() - validate a copied packet descriptor
 * @desc: the descriptor, already copied out of the ring
 * @avail: bytes the ring holds from the descriptor on
 * @max_len: largest packet (without trailer) the channel accepts
 *
 * Accepts the types a guest may send (data in-band, GPA-direct,
 * completion) and only the completion-requested flag; offset8 >= 2,
 * len8 >= offset8, packet plus trailer inside @avail; GPA-direct packets
 * need room for their 24-byte header before the payload.
 *
 * Return: 0; -EMSGSIZE for a packet larger than @max_len; -EINVAL for
 * anything else malformed.
 */
int vmbh_pkt_desc_check(const struct vmbh_packet_desc *desc, __u32 avail,
			__u32 max_len)
{
	__u32 len = (__u32)desc->len8 * 8;
	__u32 off = (__u32)desc->offset8 * 8;

	switch (desc->type) {
	case VMBH_PACKET_TYPE_DATA_INBAND:
	case VMBH_PACKET_TYPE_COMP:
		break;
	case VMBH_PACKET_TYPE_DATA_GPA_DIRECT:
		if (off < sizeof(struct vmbh_gpa_direct_hdr))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (desc->flags & ~VMBH_PACKET_FLAG_COMPLETION_REQUESTED)
		return -EINVAL;
	if (off < sizeof(*desc) || len < off)
		return -EINVAL;
	if ((__u64)len + VMBH_PACKET_TRAILER_SIZE > avail)
		return -EINVAL;
	if (len > max_len)
		return -EMSGSIZE;
	return 0;
}

/* Pages a range touches, or 0 when byte_count/byte_offset are invalid. */
static __u32 vmbh_range_pages(__u32 byte_count, __u32 byte_offset)
{
	__u64 end = (__u64)byte_offset + byte_count;

	if (!byte_count || byte_offset >= VMBH_GPA_PAGE_SIZE)
		return 0;
	return (__u32)((end + VMBH_GPA_PAGE_SIZE - 1) >> VMBH_GPA_PAGE_SHIFT);
}

/**
 * vmbh_gpa_ranges_check() - validate an array of GPA ranges
 * @buf: the ranges, 8-byte aligned ({byte_count, byte_offset, pfn[]}...)
 * @len: bytes available for them
 * @range_cnt: ranges announced, at least 1
 * @nr_pfns: out: page numbers of all ranges together
 *
 * Each range needs byte_count != 0, byte_offset < 4096 and all its page
 * numbers inside @len.  Page numbers are checked against guest memory
 * only when mapped.  Bytes after the last range are not looked at: walk
 * the ranges with the length returned, never with @len.
 *
 * Return: the bytes the @range_cnt ranges take (> 0), or -EINVAL.
 */
int vmbh_gpa_ranges_check(const void *buf, __u32 len, __u32 range_cnt,
			  __u32 *nr_pfns)
{
	const __u8 *p = buf;
	__u64 pos = 0, total = 0;
	__u32 i;

	if (!range_cnt)
		return -EINVAL;
	for (i = 0; i < range_cnt; i++) {
		const struct vmbh_gpa_range_hdr *hdr;
		__u32 pages;

		if (pos + sizeof(*hdr) > len)
			return -EINVAL;
		hdr = (const struct vmbh_gpa_range_hdr *)(p + pos);
		pages = vmbh_range_pages(hdr->byte_count, hdr->byte_offset);
		if (!pages)
			return -EINVAL;
		pos += sizeof(*hdr) + (__u64)pages * 8;
		if (pos > len)
			return -EINVAL;
		total += pages;
	}
	*nr_pfns = (__u32)total;
	return (int)pos;
}

/**
 * vmbh_gpa_range_next() - walk ranges checked by vmbh_gpa_ranges_check()
 * @buf: the ranges
 * @len: bytes at @buf
 * @pos: cursor, 0 at the start
 * @range: out: the next range
 *
 * Return: true with @range filled, false at the end (or on a range that
 * does not fit, which a checked array never has).
 */
bool vmbh_gpa_range_next(const void *buf, __u32 len, __u32 *pos,
			 struct vmbh_gpa_range *range)
{
	const struct vmbh_gpa_range_hdr *hdr;
	const __u8 *p = buf;
	__u32 pages;

	if ((__u64)*pos + sizeof(*hdr) > len)
		return false;
	hdr = (const struct vmbh_gpa_range_hdr *)(p + *pos);
	pages = vmbh_range_pages(hdr->byte_count, hdr->byte_offset);
	if (!pages || (__u64)*pos + sizeof(*hdr) + (__u64)pages * 8 > len)
		return false;
	range->byte_count = hdr->byte_count;
	range->byte_offset = hdr->byte_offset;
	range->nr_pfns = pages;
	range->pfns = (const __u64 *)(hdr + 1);
	*pos += sizeof(*hdr) + pages * 8;
	return true;
}

/**
 * vmbh_ring_gpadl_check() - can a GPADL hold a channel's two rings
 * @rangecount: ranges of the GPADL
 * @entries: the GPADL's u64 words (range headers and page numbers)
 * @nr_entries: words at @entries
 * @downstream_offset: OPENCHANNEL's page index of the host->guest ring
 *
 * Rings need one range starting at offset 0 covering whole pages, and
 * each ring a header page plus at least one data page.
 *
 * Return: the GPADL's page count, or -EINVAL.
 */
int vmbh_ring_gpadl_check(__u32 rangecount, const __u64 *entries,
			  __u32 nr_entries, __u32 downstream_offset)
{
	const struct vmbh_gpa_range_hdr *hdr;
	__u32 pages;

	if (rangecount != 1 || nr_entries < 2)
		return -EINVAL;
	hdr = (const struct vmbh_gpa_range_hdr *)entries;
	if (hdr->byte_offset || !hdr->byte_count ||
	    hdr->byte_count % VMBH_GPA_PAGE_SIZE)
		return -EINVAL;
	pages = hdr->byte_count / VMBH_GPA_PAGE_SIZE;
	if (pages != nr_entries - 1)
		return -EINVAL;
	if (downstream_offset < 2 || (__u64)downstream_offset + 2 > pages)
		return -EINVAL;
	return (int)pages;
}

/**
 * vmbh_mem_table_check() - validate a memory table from the VMM
 * @regions: the regions
 * @nr: entries, at most %VMBH_MAX_MEM_REGIONS
 *
 * Return: 0, or -EINVAL for misalignment, a zero size, wrap-around or
 * two regions overlapping in guest physical space.
 */
int vmbh_mem_table_check(const struct vmbh_mem_region *regions, __u32 nr)
{
	const __u64 mask = VMBH_GPA_PAGE_SIZE - 1;
	__u32 i, j;

	if (nr > VMBH_MAX_MEM_REGIONS)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		const struct vmbh_mem_region *r = &regions[i];

		if ((r->gpa | r->size | r->uaddr) & mask || !r->size)
			return -EINVAL;
		if (r->gpa + r->size < r->gpa || r->uaddr + r->size < r->uaddr)
			return -EINVAL;
		for (j = 0; j < i; j++) {
			const struct vmbh_mem_region *o = &regions[j];

			if (r->gpa < o->gpa + o->size && o->gpa < r->gpa + r->size)
				return -EINVAL;
		}
	}
	return 0;
}
