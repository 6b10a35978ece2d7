// SPDX-License-Identifier: GPL-2.0
/*
 * Offload translation between RNDIS per-packet info and the virtio-net
 * header of a tap, and the Toeplitz hash for vRSS.  Pure C: also built
 * into the host-run unit tests, hence its own one's-complement helpers.
 */
#include "netvsp_parse.h"

#define ETH_HLEN_	14
#define ETHERTYPE_IPV4	0x0800
#define ETHERTYPE_IPV6	0x86DD
#define ETHERTYPE_VLAN	0x8100
#define ETHERTYPE_QINQ	0x88A8
#define IPPROTO_TCP_	6
#define IPPROTO_UDP_	17
#define TCP_CSUM_OFF	16
#define UDP_CSUM_OFF	6
#define TCP_FLAG_CWR	0x80

static u16 vmbh_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static void vmbh_put_be16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/**
 * vmbh_netvsp_csum_add() - add bytes to a one's-complement sum
 * @sum: running sum (0 to start)
 * @buf: bytes, read as big-endian 16-bit words from an even offset
 * @len: bytes at @buf
 *
 * Return: the unfolded sum.
 */
u32 vmbh_netvsp_csum_add(u32 sum, const u8 *buf, u32 len)
{
	u64 s = sum;

	while (len >= 2) {
		s += (u32)(buf[0] << 8 | buf[1]);
		buf += 2;
		len -= 2;
	}
	if (len)
		s += (u32)buf[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (u32)s;
}

/**
 * vmbh_netvsp_csum_fold() - fold a one's-complement sum to 16 bits
 * @sum: from vmbh_netvsp_csum_add()
 *
 * Return: the folded sum, not complemented.
 */
u16 vmbh_netvsp_csum_fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)sum;
}

/* Where the IP header starts and which IP version the frame carries. */
static int vmbh_frame_l3(const u8 *f, u32 len, u16 *proto, u32 *l3off)
{
	u32 off = 12;
	u16 type;

	if (len < ETH_HLEN_)
		return -EINVAL;
	type = vmbh_be16(f + off);
	if (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) {
		off += 4;
		if (len < off + 2)
			return -EINVAL;
		type = vmbh_be16(f + off);
	}
	*proto = type;
	*l3off = off + 2;
	return 0;
}

/* Pseudo-header sum for an L4 segment of @l4len bytes. */
static u16 vmbh_pseudo(const u8 *f, u32 l3off, bool v6, u8 l4proto,
		       u32 l4len)
{
	u32 sum;

	if (v6)
		sum = vmbh_netvsp_csum_add(0, f + l3off + 8, 32) +
		      (l4len >> 16) + (l4len & 0xffff);
	else
		sum = vmbh_netvsp_csum_add(0, f + l3off + 12, 8) + l4len;
	return vmbh_netvsp_csum_fold(sum + l4proto);
}

static void vmbh_ip4_csum(u8 *f, u32 l3off, u32 ihl)
{
	u32 sum;

	f[l3off + 10] = 0;
	f[l3off + 11] = 0;
	sum = vmbh_netvsp_csum_add(0, f + l3off, ihl);
	vmbh_put_be16(f + l3off + 10, (u16)~vmbh_netvsp_csum_fold(sum));
}

/*
 * Check the IP header in front of an L4 header at @l4off: version, that
 * the headers lie inside @copied, and for IPv4 that the L4 header follows
 * the options directly and carries @l4proto.
 */
static int vmbh_check_ip(const u8 *f, u32 copied, u32 l3off, bool v6,
			 u32 l4off, u8 l4proto)
{
	if (v6) {
		if (l4off < l3off + 40 || l3off + 40 > copied ||
		    f[l3off] >> 4 != 6)
			return -EINVAL;
		if (l4off == l3off + 40 && f[l3off + 6] != l4proto)
			return -EINVAL;
		return 0;
	}
	if (l3off + 20 > copied || f[l3off] >> 4 != 4 ||
	    l3off + (f[l3off] & 0xf) * 4u != l4off || l4off < l3off + 20 ||
	    f[l3off + 9] != l4proto)
		return -EINVAL;
	return 0;
}

/**
 * vmbh_netvsp_tx_offload() - turn a guest frame's PPIs into a vnet header
 * @pkt: the parsed RNDIS PACKET (checksum, LSOv2, VLAN PPIs)
 * @hdr: host copy of the frame's first bytes, fixed up in place
 * @hdr_len: in: bytes copied (the whole frame or the first
 *	%VMBH_NETVSP_TX_HDR_MAX); out: bytes of @hdr to transmit instead
 * @hdr_cap: room at @hdr, at least *@hdr_len + 4 (VLAN tag insertion)
 * @frame_len: bytes of the whole frame
 * @vh: out: the header for the tap
 *
 * Offsets come from the guest and are checked against the copy; every
 * header the offload depends on (IP total/payload length, pseudo-header
 * checksum, IPv4 header checksum) is rewritten in the copy, so what the
 * tap receives is consistent whatever the guest changes meanwhile.  LSO:
 * the guest zeroes the IP length and seeds the TCP checksum without it.
 *
 * Return: 0, or -EINVAL for offsets or sizes that do not describe the
 * frame.
 */
int vmbh_netvsp_tx_offload(const struct vmbh_rndis_pkt *pkt, u8 *hdr,
			   u32 *hdr_len, u32 hdr_cap, u32 frame_len,
			   struct vmbh_vnet_hdr *vh)
{
	u32 copied = *hdr_len, l3off, l4off;
	u16 proto;
	bool v6;

	memset(vh, 0, sizeof(*vh));
	if (copied > frame_len || hdr_cap < copied + 4 ||
	    vmbh_frame_l3(hdr, copied, &proto, &l3off))
		return -EINVAL;

	if (pkt->present & (1u << RNDIS_PPI_LSO)) {
		u32 lso = pkt->lso, mss = NDIS_LSO_MSS(lso), thlen;

		v6 = lso & NDIS_LSO_IPV6;
		l4off = NDIS_LSO_L4_OFFSET(lso);
		if (!(lso & NDIS_LSO_TYPE_V2) || mss < VMBH_NETVSP_LSO_MSS_MIN ||
		    mss > VMBH_NETVSP_LSO_MSS_MAX ||
		    proto != (v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4) ||
		    frame_len - l3off > 65535 ||
		    vmbh_check_ip(hdr, copied, l3off, v6, l4off, IPPROTO_TCP_) ||
		    l4off + 20 > copied)
			return -EINVAL;
		thlen = (hdr[l4off + 12] >> 4) * 4u;
		if (thlen < 20 || l4off + thlen > copied)
			return -EINVAL;
		if (v6) {
			vmbh_put_be16(hdr + l3off + 4, frame_len - l3off - 40);
		} else {
			vmbh_put_be16(hdr + l3off + 2, frame_len - l3off);
			vmbh_ip4_csum(hdr, l3off, l4off - l3off);
		}
		vmbh_put_be16(hdr + l4off + TCP_CSUM_OFF,
			      vmbh_pseudo(hdr, l3off, v6, IPPROTO_TCP_,
					  frame_len - l4off));
		vh->flags = VMBH_VNET_F_NEEDS_CSUM;
		vh->csum_start = l4off;
		vh->csum_offset = TCP_CSUM_OFF;
		vh->gso_type = v6 ? VMBH_VNET_GSO_TCPV6 : VMBH_VNET_GSO_TCPV4;
		if (hdr[l4off + 13] & TCP_FLAG_CWR)
			vh->gso_type |= VMBH_VNET_GSO_ECN;
		vh->gso_size = mss;
		vh->hdr_len = l4off + thlen;
	} else if (pkt->present & (1u << RNDIS_PPI_CHECKSUM)) {
		u32 cs = pkt->csum;
		bool tcp = cs & NDIS_CSUM_TX_TCP, udp = cs & NDIS_CSUM_TX_UDP;
		bool v4 = cs & NDIS_CSUM_TX_IPV4;

		v6 = cs & NDIS_CSUM_TX_IPV6;
		if (v4 == v6 || (tcp && udp) ||
		    proto != (v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4))
			return -EINVAL;
		if (tcp || udp) {
			u32 off = tcp ? TCP_CSUM_OFF : UDP_CSUM_OFF;

			l4off = NDIS_CSUM_TX_L4_OFFSET(cs);
			if (vmbh_check_ip(hdr, copied, l3off, v6, l4off,
					  tcp ? IPPROTO_TCP_ : IPPROTO_UDP_) ||
			    l4off + (tcp ? 20 : 8) > copied)
				return -EINVAL;
			vmbh_put_be16(hdr + l4off + off,
				      vmbh_pseudo(hdr, l3off, v6,
						  tcp ? IPPROTO_TCP_ : IPPROTO_UDP_,
						  frame_len - l4off));
			vh->flags = VMBH_VNET_F_NEEDS_CSUM;
			vh->csum_start = l4off;
			vh->csum_offset = off;
		}
		if (cs & NDIS_CSUM_TX_IP_HEADER) {
			u32 ihl;

			if (v6 || l3off + 20 > copied)
				return -EINVAL;
			ihl = (hdr[l3off] & 0xf) * 4u;
			if (ihl < 20 || l3off + ihl > copied)
				return -EINVAL;
			vmbh_ip4_csum(hdr, l3off, ihl);
		}
	}

	if (pkt->present & (1u << RNDIS_PPI_VLAN)) {
		u32 v = pkt->vlan;
		u16 tci = NDIS_VLAN_PRIO(v) << 13 | NDIS_VLAN_CFI(v) << 12 |
			  NDIS_VLAN_ID(v);

		memmove(hdr + 16, hdr + 12, copied - 12);
		vmbh_put_be16(hdr + 12, ETHERTYPE_VLAN);
		vmbh_put_be16(hdr + 14, tci);
		*hdr_len = copied + 4;
		if (vh->flags & VMBH_VNET_F_NEEDS_CSUM)
			vh->csum_start += 4;
		if (vh->hdr_len)
			vh->hdr_len += 4;
	}
	return 0;
}

/* The L4 protocol of a frame, when it has an unfragmented TCP or UDP
 * header directly behind the IP header; 0 otherwise.
 */
static u8 vmbh_frame_l4(const u8 *f, u32 len, u32 *l3off, bool *v6,
			u32 *l4off)
{
	u16 proto;
	u8 l4;

	if (vmbh_frame_l3(f, len, &proto, l3off))
		return 0;
	if (proto == ETHERTYPE_IPV4) {
		u32 ihl;

		if (*l3off + 20 > len || f[*l3off] >> 4 != 4)
			return 0;
		ihl = (f[*l3off] & 0xf) * 4u;
		if (ihl < 20 || (vmbh_be16(f + *l3off + 6) & 0x3fff))
			return 0;
		*v6 = false;
		*l4off = *l3off + ihl;
		l4 = f[*l3off + 9];
	} else if (proto == ETHERTYPE_IPV6) {
		if (*l3off + 40 > len || f[*l3off] >> 4 != 6)
			return 0;
		*v6 = true;
		*l4off = *l3off + 40;
		l4 = f[*l3off + 6];
	} else {
		return 0;
	}
	if ((l4 == IPPROTO_TCP_ && *l4off + 20 <= len) ||
	    (l4 == IPPROTO_UDP_ && *l4off + 8 <= len))
		return l4;
	return 0;
}

/**
 * vmbh_netvsp_rx_csum() - finish a received frame's checksum for the guest
 * @vh: the vnet header the tap gave with the frame
 * @frame: the frame (in the guest's receive buffer)
 * @len: its bytes
 * @csum_ppi: out: receive checksum PPI value for the guest
 *
 * A frame whose checksum the sender left to offload (NEEDS_CSUM) gets it
 * computed here, since netvsc has no "partial" receive state; such a
 * frame and one the tap marks DATA_VALID are indicated as verified.
 *
 * Return: 0; -EOPNOTSUPP for a GSO frame (the tap must not be given
 * receive segmentation offloads); -EINVAL for a checksum position
 * outside the frame.
 */
int vmbh_netvsp_rx_csum(const struct vmbh_vnet_hdr *vh, u8 *frame, u32 len,
			u32 *csum_ppi)
{
	u32 l3off, l4off;
	bool v6 = false;
	u8 l4;

	*csum_ppi = 0;
	if ((vh->gso_type & ~VMBH_VNET_GSO_ECN) != VMBH_VNET_GSO_NONE)
		return -EOPNOTSUPP;
	if (vh->flags & VMBH_VNET_F_NEEDS_CSUM) {
		u32 start = vh->csum_start, at = start + vh->csum_offset;
		u16 c;

		if (start >= len || at + 2 > len || at < start)
			return -EINVAL;
		c = ~vmbh_netvsp_csum_fold(vmbh_netvsp_csum_add(0, frame + start,
								len - start));
		vmbh_put_be16(frame + at, c ? c : 0xffff);
	} else if (!(vh->flags & VMBH_VNET_F_DATA_VALID)) {
		return 0;
	}
	l4 = vmbh_frame_l4(frame, len, &l3off, &v6, &l4off);
	if (l4 == IPPROTO_TCP_)
		*csum_ppi = NDIS_CSUM_RX_TCP_OK;
	else if (l4 == IPPROTO_UDP_)
		*csum_ppi = NDIS_CSUM_RX_UDP_OK;
	return 0;
}

/**
 * vmbh_netvsp_toeplitz() - the Toeplitz hash NDIS RSS uses
 * @key: 40-byte secret key
 * @input: bytes to hash, at most 36
 * @len: bytes at @input
 *
 * Return: the 32-bit hash.
 */
u32 vmbh_netvsp_toeplitz(const u8 *key, const u8 *input, u32 len)
{
	u32 v = (u32)key[0] << 24 | key[1] << 16 | key[2] << 8 | key[3];
	u32 r = 0, i, b;

	for (i = 0; i < len; i++) {
		for (b = 0; b < 8; b++) {
			if (input[i] & (0x80 >> b))
				r ^= v;
			v <<= 1;
			if (i + 4 < NDIS_RSS_HASH_KEY_SIZE &&
			    (key[i + 4] & (0x80 >> b)))
				v |= 1;
		}
	}
	return r;
}

/**
 * vmbh_netvsp_rss_hash() - the RSS hash of a received frame
 * @rss: the guest's RSS parameters
 * @frame: the frame
 * @len: its bytes
 * @hash: out: the hash
 *
 * IPv4/IPv6 addresses, plus TCP ports for TCP when the guest enabled the
 * TCP hash types; other frames are not hashed.
 *
 * Return: true with @hash set.
 */
bool vmbh_netvsp_rss_hash(const struct vmbh_netvsp_rss *rss, const u8 *frame,
			  u32 len, u32 *hash)
{
	u8 in[36];
	u32 l3off, l4off, n;
	bool v6 = false;
	u8 l4;

	if (!rss->enabled)
		return false;
	l4 = vmbh_frame_l4(frame, len, &l3off, &v6, &l4off);
	if (!l4) {
		u16 proto;

		if (vmbh_frame_l3(frame, len, &proto, &l3off))
			return false;
		if (proto == ETHERTYPE_IPV4 && l3off + 20 <= len)
			v6 = false;
		else if (proto == ETHERTYPE_IPV6 && l3off + 40 <= len)
			v6 = true;
		else
			return false;
	}
	if (v6) {
		if (!(rss->hashinfo & (NDIS_HASH_IPV6 | NDIS_HASH_TCP_IPV6)))
			return false;
		memcpy(in, frame + l3off + 8, 32);
		n = 32;
		if (l4 == IPPROTO_TCP_ && (rss->hashinfo & NDIS_HASH_TCP_IPV6)) {
			memcpy(in + n, frame + l4off, 4);
			n += 4;
		}
	} else {
		if (!(rss->hashinfo & (NDIS_HASH_IPV4 | NDIS_HASH_TCP_IPV4)))
			return false;
		memcpy(in, frame + l3off + 12, 8);
		n = 8;
		if (l4 == IPPROTO_TCP_ && (rss->hashinfo & NDIS_HASH_TCP_IPV4)) {
			memcpy(in + n, frame + l4off, 4);
			n += 4;
		}
	}
	*hash = vmbh_netvsp_toeplitz(rss->key, in, n);
	return true;
}
