// SPDX-License-Identifier: GPL-2.0
/*
 * RNDIS message validation, the PPI walker, OID answers and the messages
 * the host builds.  Pure C: also built into the host-run unit tests.
 */
#include "netvsp_parse.h"

/* Body offset of everything after the 8-byte RNDIS message header. */
#define RNDIS_BODY	sizeof(struct rndis_msg_header)

static u32 vmbh_get32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void vmbh_put32(void *p, u32 v)
{
	memcpy(p, &v, sizeof(v));
}

/**
 * vmbh_rndis_next() - read the header of the next RNDIS message in a stream
 * @buf: the message's first bytes
 * @avail: bytes left in the stream from @buf
 * @type: out: ndis_msg_type
 * @msg_len: out: msg_len, which includes the header and any padding
 *
 * Return: 0, or -EINVAL when the header is cut or msg_len is below 8 or
 * beyond the stream.
 */
int vmbh_rndis_next(const void *buf, u32 avail, u32 *type, u32 *msg_len)
{
	struct rndis_msg_header h;

	if (avail < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	if (h.msg_len < sizeof(h) || h.msg_len > avail)
		return -EINVAL;
	*type = h.msg_type;
	*msg_len = h.msg_len;
	return 0;
}

static u32 vmbh_ppi_min_value(u32 type)
{
	switch (type) {
	case RNDIS_PPI_CHECKSUM:
	case RNDIS_PPI_LSO:
	case RNDIS_PPI_VLAN:
	case RNDIS_PPI_HASH:
		return sizeof(u32);
	default:
		return 0;
	}
}

/*
 * Walk @len bytes of PPI elements.  Every element must be at least a
 * header, fit the remainder, have its value inside itself, and a known
 * type's value must be large enough; the elements must use up @len.
 */
static int vmbh_rndis_walk_ppi(const u8 *ppi, u32 len,
			       struct vmbh_rndis_pkt *pkt)
{
	while (len) {
		struct rndis_ppi e;
		u32 type, need;

		if (len < sizeof(e))
			return -EINVAL;
		memcpy(&e, ppi, sizeof(e));
		if (e.size < sizeof(e) || e.size > len)
			return -EINVAL;
		if (e.ppi_offset < sizeof(e) || e.ppi_offset > e.size)
			return -EINVAL;
		type = e.type;
		need = (type & RNDIS_PPI_INTERNAL) ? 0 : vmbh_ppi_min_value(type);
		if (need) {
			u32 v;

			if (e.size - e.ppi_offset < need)
				return -EINVAL;
			v = vmbh_get32(ppi + e.ppi_offset);
			pkt->present |= 1u << type;
			switch (type) {
			case RNDIS_PPI_CHECKSUM:
				pkt->csum = v;
				break;
			case RNDIS_PPI_LSO:
				pkt->lso = v;
				break;
			case RNDIS_PPI_VLAN:
				pkt->vlan = v;
				break;
			default:
				pkt->hash = v;
				break;
			}
		}
		ppi += e.size;
		len -= e.size;
	}
	return 0;
}

/**
 * vmbh_rndis_parse_packet() - validate an RNDIS PACKET message
 * @hdr: a host copy of the message's first @hdr_len bytes
 * @hdr_len: bytes at @hdr; the PPIs must lie inside them
 * @msg_len: the whole message's msg_len (already checked by the caller
 *	against the stream)
 * @pkt: filled with the frame's place and the PPI values
 *
 * Return: 0, or -EINVAL for any field out of bounds: data not inside the
 * message or overlapping the header, out-of-band data or a VC handle,
 * PPIs outside the header copy or malformed.
 */
int vmbh_rndis_parse_packet(const void *hdr, u32 hdr_len, u32 msg_len,
			    struct vmbh_rndis_pkt *pkt)
{
	const u8 *m = hdr;
	struct rndis_packet rp;
	u32 type;

	memset(pkt, 0, sizeof(*pkt));
	if (hdr_len > msg_len || hdr_len < RNDIS_BODY + sizeof(rp))
		return -EINVAL;
	type = vmbh_get32(m);
	if (type != RNDIS_MSG_PACKET)
		return -EINVAL;
	memcpy(&rp, m + RNDIS_BODY, sizeof(rp));
	if (!rp.data_len || rp.data_offset < sizeof(rp))
		return -EINVAL;
	if ((u64)RNDIS_BODY + rp.data_offset + rp.data_len > msg_len)
		return -EINVAL;
	if (rp.oob_data_offset || rp.oob_data_len ||
	    rp.num_oob_data_elements || rp.vc_handle)
		return -EINVAL;
	if (rp.per_pkt_info_len) {
		u64 end = (u64)rp.per_pkt_info_offset + rp.per_pkt_info_len;

		if (rp.per_pkt_info_offset < sizeof(rp) ||
		    end > rp.data_offset || RNDIS_BODY + end > hdr_len)
			return -EINVAL;
		if (vmbh_rndis_walk_ppi(m + RNDIS_BODY + rp.per_pkt_info_offset,
					rp.per_pkt_info_len, pkt))
			return -EINVAL;
	}
	pkt->data_offset = RNDIS_BODY + rp.data_offset;
	pkt->data_len = rp.data_len;
	return 0;
}

/**
 * vmbh_rndis_parse_control() - validate an RNDIS control message
 * @msg: a host copy of the whole message
 * @msg_len: its msg_len
 * @ctl: filled with the fields the host uses
 *
 * Return: 0; -EINVAL when the body is too short for the type or the
 * information buffer lies outside the message; -EPROTO for a type a guest
 * does not send on the control path.
 */
int vmbh_rndis_parse_control(const void *msg, u32 msg_len,
			     struct vmbh_rndis_ctl *ctl)
{
	const u8 *m = msg;
	const u8 *body = m + RNDIS_BODY;
	u32 body_len;

	memset(ctl, 0, sizeof(*ctl));
	if (msg_len < RNDIS_BODY + sizeof(u32))
		return -EINVAL;
	ctl->type = vmbh_get32(m);
	body_len = msg_len - RNDIS_BODY;
	switch (ctl->type) {
	case RNDIS_MSG_INIT: {
		struct rndis_initialize_request r;

		if (body_len < sizeof(r))
			return -EINVAL;
		memcpy(&r, body, sizeof(r));
		ctl->req_id = r.req_id;
		ctl->major_ver = r.major_ver;
		ctl->minor_ver = r.minor_ver;
		return 0;
	}
	case RNDIS_MSG_HALT:
	case RNDIS_MSG_RESET:
	case RNDIS_MSG_KEEPALIVE:
		ctl->req_id = vmbh_get32(body);
		return 0;
	case RNDIS_MSG_QUERY:
	case RNDIS_MSG_SET: {
		struct rndis_oid_request r;

		if (body_len < sizeof(r))
			return -EINVAL;
		memcpy(&r, body, sizeof(r));
		ctl->req_id = r.req_id;
		ctl->oid = r.oid;
		if (r.info_buflen) {
			if (r.info_buf_offset < sizeof(r) ||
			    (u64)r.info_buf_offset + r.info_buflen > body_len)
				return -EINVAL;
			ctl->info_offset = RNDIS_BODY + r.info_buf_offset;
			ctl->info_len = r.info_buflen;
		}
		return 0;
	}
	default:
		return -EPROTO;
	}
}

/*
 * OID_GEN_SUPPORTED_LIST: what vmbh_rndis_query() or vmbh_rndis_set()
 * answers (NDIS lists both kinds in one list); the RSS OIDs from NVSP 5.
 */
static const u32 vmbh_rndis_oids[] = {
	OID_GEN_SUPPORTED_LIST, OID_GEN_MAXIMUM_FRAME_SIZE,
	OID_GEN_LINK_SPEED, OID_GEN_CURRENT_PACKET_FILTER,
	OID_GEN_MAXIMUM_TOTAL_SIZE, OID_GEN_MEDIA_CONNECT_STATUS,
	OID_GEN_RECEIVE_SCALE_CAPABILITIES, OID_GEN_RECEIVE_SCALE_PARAMETERS,
	OID_GEN_RNDIS_CONFIG_PARAMETER, OID_802_3_PERMANENT_ADDRESS,
	OID_802_3_CURRENT_ADDRESS, OID_802_3_MULTICAST_LIST,
	OID_802_3_MAXIMUM_LIST_SIZE, OID_TCP_OFFLOAD_PARAMETERS,
	OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
};

static bool vmbh_oid_rss(u32 oid)
{
	return oid == OID_GEN_RECEIVE_SCALE_CAPABILITIES ||
	       oid == OID_GEN_RECEIVE_SCALE_PARAMETERS;
}

/* The supported list at the negotiated version; returns its bytes. */
static u32 vmbh_supported_oids(const struct vmbh_netvsp_cfg *cfg, u32 *oids)
{
	u32 i, n = 0;

	for (i = 0; i < sizeof(vmbh_rndis_oids) / sizeof(u32); i++)
		if (cfg->nvsp_version >= NVSP_PROTOCOL_VERSION_5 ||
		    !vmbh_oid_rss(vmbh_rndis_oids[i]))
			oids[n++] = vmbh_rndis_oids[i];
	return n * sizeof(u32);
}

/* The offloads the host implements (vmbh_netvsp_tx_offload()). */
static u32 vmbh_offload_caps(const struct vmbh_netvsp_cfg *cfg,
			     const u8 *in, u32 in_len, struct ndis_offload *o)
{
	struct ndis_object_header want = { 0 };
	u32 size;

	if (in_len >= sizeof(want))
		memcpy(&want, in, sizeof(want));
	if (want.size == NDIS_OFFLOAD_SIZE_6_0 ||
	    want.size == NDIS_OFFLOAD_SIZE_6_1 ||
	    want.size == NDIS_OFFLOAD_SIZE_6_30)
		size = want.size;
	else if (cfg->nvsp_version >= NVSP_PROTOCOL_VERSION_5)
		size = NDIS_OFFLOAD_SIZE_6_30;
	else if (cfg->nvsp_version >= NVSP_PROTOCOL_VERSION_4)
		size = NDIS_OFFLOAD_SIZE_6_1;
	else
		size = NDIS_OFFLOAD_SIZE_6_0;

	memset(o, 0, sizeof(*o));
	o->header.type = NDIS_OBJECT_TYPE_OFFLOAD;
	o->header.revision = size == NDIS_OFFLOAD_SIZE_6_30 ?
		NDIS_OFFLOAD_REVISION_3 : size == NDIS_OFFLOAD_SIZE_6_1 ?
		NDIS_OFFLOAD_REVISION_2 : NDIS_OFFLOAD_REVISION_1;
	o->header.size = size;
	if (!cfg->offloads)
		return size;
	o->ip4_txenc = NDIS_OFFLOAD_ENCAP_8023;
	o->ip4_txcsum = NDIS_CSUM_CAP_IP4OPT | NDIS_CSUM_CAP_TCP4OPT |
			NDIS_CSUM_CAP_TCP4 | NDIS_CSUM_CAP_UDP4 |
			NDIS_CSUM_CAP_IP4;
	o->ip4_rxenc = NDIS_OFFLOAD_ENCAP_8023;
	o->ip4_rxcsum = o->ip4_txcsum;
	o->ip6_txenc = NDIS_OFFLOAD_ENCAP_8023;
	o->ip6_txcsum = NDIS_CSUM_CAP_IP6EXT | NDIS_CSUM_CAP_TCP6OPT |
			NDIS_CSUM_CAP_TCP6 | NDIS_CSUM_CAP_UDP6;
	o->ip6_rxenc = NDIS_OFFLOAD_ENCAP_8023;
	o->ip6_rxcsum = o->ip6_txcsum;
	o->lsov2_ip4_encap = NDIS_OFFLOAD_ENCAP_8023;
	o->lsov2_ip4_maxsz = VMBH_NETVSP_LSO_MAXSZ;
	o->lsov2_ip4_minsg = 2;
	o->lsov2_ip6_encap = NDIS_OFFLOAD_ENCAP_8023;
	o->lsov2_ip6_maxsz = o->lsov2_ip4_maxsz;
	o->lsov2_ip6_minsg = 2;
	o->lsov2_ip6_opts = NDIS_LSOV2_CAP_IP6EXT | NDIS_LSOV2_CAP_TCP6OPT;
	return size;
}

/**
 * vmbh_rndis_query() - answer an OID query
 * @cfg: what the host offers
 * @oid: the OID
 * @in: the query's information buffer (an NDIS object header for some)
 * @in_len: its bytes
 * @out: where the answer goes
 * @out_cap: bytes available at @out
 * @out_len: out: bytes of the answer
 *
 * Return: an RNDIS status; *@out_len is 0 unless it is success.
 */
u32 vmbh_rndis_query(const struct vmbh_netvsp_cfg *cfg, u32 oid,
		     const u8 *in, u32 in_len, u8 *out, u32 out_cap,
		     u32 *out_len)
{
	union {
		u32 word;
		u8 mac[6];
		struct ndis_offload offload;
		struct ndis_recv_scale_cap rss;
		u32 oids[sizeof(vmbh_rndis_oids) / sizeof(u32)];
	} a;
	u32 len = sizeof(u32);

	*out_len = 0;
	memset(&a, 0, sizeof(a));
	switch (oid) {
	case OID_GEN_SUPPORTED_LIST:
		len = vmbh_supported_oids(cfg, a.oids);
		break;
	case OID_GEN_MAXIMUM_FRAME_SIZE:
		a.word = cfg->mtu - 14;
		break;
	case OID_GEN_MAXIMUM_TOTAL_SIZE:
		a.word = cfg->mtu;
		break;
	case OID_GEN_LINK_SPEED:
		a.word = cfg->link_speed;
		break;
	case OID_GEN_MEDIA_CONNECT_STATUS:
		a.word = cfg->link_up ? NDIS_MEDIA_STATE_CONNECTED :
					NDIS_MEDIA_STATE_DISCONNECTED;
		break;
	case OID_802_3_MAXIMUM_LIST_SIZE:
		a.word = VMBH_NETVSP_MCAST_MAX;
		break;
	case OID_802_3_PERMANENT_ADDRESS:
	case OID_802_3_CURRENT_ADDRESS:
		memcpy(a.mac, cfg->mac, sizeof(a.mac));
		len = sizeof(a.mac);
		break;
	case OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES:
		len = vmbh_offload_caps(cfg, in, in_len, &a.offload);
		break;
	case OID_GEN_RECEIVE_SCALE_CAPABILITIES:
		if (cfg->nvsp_version < NVSP_PROTOCOL_VERSION_5)
			return RNDIS_STATUS_NOT_SUPPORTED;
		a.rss.hdr.type = NDIS_OBJECT_TYPE_RSS_CAPABILITIES;
		a.rss.hdr.revision = NDIS_RECEIVE_SCALE_CAPABILITIES_REVISION_2;
		a.rss.hdr.size = sizeof(a.rss);
		a.rss.cap_flag = NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV4 |
				 NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6;
		a.rss.num_int_msg = 1;
		a.rss.num_recv_que = cfg->max_queues;
		a.rss.num_indirect_tabent = 128;
		len = sizeof(a.rss);
		break;
	default:
		return RNDIS_STATUS_NOT_SUPPORTED;
	}
	if (len > out_cap)
		return RNDIS_STATUS_BUFFER_OVERFLOW;
	memcpy(out, &a, len);
	*out_len = len;
	return RNDIS_STATUS_SUCCESS;
}

/* Offload-parameter value for a checksum: -1 invalid, else TX/RX wanted. */
static int vmbh_csum_param(u8 v, bool *tx, bool *rx)
{
	switch (v) {
	case NDIS_OFFLOAD_PARAMS_NO_CHANGE:
		return 0;
	case NDIS_OFFLOAD_PARAMS_CSUM_DISABLED:
	case NDIS_OFFLOAD_PARAMS_CSUM_TX:
	case NDIS_OFFLOAD_PARAMS_CSUM_RX:
	case NDIS_OFFLOAD_PARAMS_CSUM_TX_RX:
		*tx = v == NDIS_OFFLOAD_PARAMS_CSUM_TX ||
		      v == NDIS_OFFLOAD_PARAMS_CSUM_TX_RX;
		*rx = v == NDIS_OFFLOAD_PARAMS_CSUM_RX ||
		      v == NDIS_OFFLOAD_PARAMS_CSUM_TX_RX;
		return 0;
	default:
		return -1;
	}
}

static int vmbh_lso_param(u8 v, bool *on)
{
	if (v > NDIS_OFFLOAD_PARAMS_LSO_ENABLED)
		return -1;
	if (v != NDIS_OFFLOAD_PARAMS_NO_CHANGE)
		*on = v == NDIS_OFFLOAD_PARAMS_LSO_ENABLED;
	return 0;
}

static u32 vmbh_set_offload(struct vmbh_rndis_state *st, const u8 *data,
			    u32 len)
{
	struct ndis_offload_params p;
	struct vmbh_rndis_state n = *st;
	bool rx4t = false, rx4u = false, rx6t = false, rx6u = false;

	if (len < NDIS_OFFLOAD_PARAMS_SIZE_V4)
		return RNDIS_STATUS_INVALID_LENGTH;
	memset(&p, 0, sizeof(p));
	memcpy(&p, data, len < sizeof(p) ? len : sizeof(p));
	if (p.header.type != NDIS_OBJECT_TYPE_DEFAULT ||
	    p.header.revision < NDIS_OFFLOAD_PARAMETERS_REVISION_1 ||
	    p.header.size < NDIS_OFFLOAD_PARAMS_SIZE_V4 || p.header.size > len)
		return RNDIS_STATUS_INVALID_DATA;
	if (vmbh_csum_param(p.tcp_ip_v4_csum, &n.tx_csum_tcp4, &rx4t) ||
	    vmbh_csum_param(p.udp_ip_v4_csum, &n.tx_csum_udp4, &rx4u) ||
	    vmbh_csum_param(p.tcp_ip_v6_csum, &n.tx_csum_tcp6, &rx6t) ||
	    vmbh_csum_param(p.udp_ip_v6_csum, &n.tx_csum_udp6, &rx6u) ||
	    vmbh_lso_param(p.lso_v2_ipv4, &n.lso4) ||
	    vmbh_lso_param(p.lso_v2_ipv6, &n.lso6))
		return RNDIS_STATUS_INVALID_DATA;
	n.rx_csum = rx4t || rx4u || rx6t || rx6u;
	*st = n;
	return RNDIS_STATUS_SUCCESS;
}

static u32 vmbh_set_rss(const struct vmbh_netvsp_cfg *cfg,
			struct vmbh_rndis_state *st, const u8 *data, u32 len)
{
	struct ndis_recv_scale_param p;
	struct vmbh_netvsp_rss *rss = &st->rss;
	u32 i, entries;

	if (len < sizeof(p))
		return RNDIS_STATUS_INVALID_LENGTH;
	memcpy(&p, data, sizeof(p));
	if (p.hdr.type != NDIS_OBJECT_TYPE_RSS_PARAMETERS ||
	    p.hdr.revision < 1 || p.hdr.size < sizeof(p))
		return RNDIS_STATUS_INVALID_DATA;
	if (p.flag & NDIS_RSS_PARAM_FLAG_DISABLE_RSS) {
		rss->enabled = false;
		return RNDIS_STATUS_SUCCESS;
	}
	entries = p.indirect_tabsize / sizeof(u32);
	if (p.hashkey_size != NDIS_RSS_HASH_KEY_SIZE ||
	    (u64)p.hashkey_offset + p.hashkey_size > len ||
	    !p.indirect_tabsize || p.indirect_tabsize % sizeof(u32) ||
	    entries > NDIS_RSS_INDIRECTION_MAX ||
	    (u64)p.indirect_taboffset + p.indirect_tabsize > len)
		return RNDIS_STATUS_INVALID_DATA;
	for (i = 0; i < entries; i++)
		if (vmbh_get32(data + p.indirect_taboffset + 4 * i) >=
		    cfg->max_queues)
			return RNDIS_STATUS_INVALID_DATA;
	for (i = 0; i < entries; i++)
		rss->table[i] = vmbh_get32(data + p.indirect_taboffset + 4 * i);
	memcpy(rss->key, data + p.hashkey_offset, NDIS_RSS_HASH_KEY_SIZE);
	rss->entries = entries;
	rss->hashinfo = p.hashinfo;
	rss->enabled = true;
	return RNDIS_STATUS_SUCCESS;
}

static int vmbh_hex(u16 c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* OID_GEN_RNDIS_CONFIG_PARAMETER: the guest's "NetworkAddress" (MAC). */
static u32 vmbh_set_config_param(struct vmbh_rndis_state *st, const u8 *data,
				 u32 len)
{
	static const char name[] = "NetworkAddress";
	struct rndis_config_parameter_info p;
	u8 mac[6];
	u32 i;

	if (len < sizeof(p))
		return RNDIS_STATUS_INVALID_LENGTH;
	memcpy(&p, data, sizeof(p));
	if ((u64)p.parameter_name_offset + p.parameter_name_length > len ||
	    (u64)p.parameter_value_offset + p.parameter_value_length > len)
		return RNDIS_STATUS_INVALID_DATA;
	if (p.parameter_name_length != 2 * (sizeof(name) - 1))
		return RNDIS_STATUS_SUCCESS;
	for (i = 0; i < sizeof(name) - 1; i++) {
		u16 c;

		memcpy(&c, data + p.parameter_name_offset + 2 * i, 2);
		if (c != (u8)name[i])
			return RNDIS_STATUS_SUCCESS;
	}
	if (p.parameter_type != RNDIS_CONFIG_PARAM_TYPE_STRING ||
	    p.parameter_value_length != 24)
		return RNDIS_STATUS_INVALID_DATA;
	for (i = 0; i < 12; i++) {
		u16 c;
		int h;

		memcpy(&c, data + p.parameter_value_offset + 2 * i, 2);
		h = vmbh_hex(c);
		if (h < 0)
			return RNDIS_STATUS_INVALID_DATA;
		if (i & 1)
			mac[i / 2] |= h;
		else
			mac[i / 2] = h << 4;
	}
	if ((mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] |
			       mac[5]))
		return RNDIS_STATUS_INVALID_DATA;
	memcpy(st->config_mac, mac, sizeof(mac));
	st->config_mac_set = true;
	return RNDIS_STATUS_SUCCESS;
}

/**
 * vmbh_rndis_set() - apply an OID set
 * @cfg: what the host offers
 * @st: the guest's configuration, changed only on success
 * @oid: the OID
 * @data: the set's information buffer
 * @len: its bytes
 *
 * Return: an RNDIS status.
 */
u32 vmbh_rndis_set(const struct vmbh_netvsp_cfg *cfg,
		   struct vmbh_rndis_state *st, u32 oid, const u8 *data,
		   u32 len)
{
	switch (oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
		if (len != sizeof(u32))
			return RNDIS_STATUS_INVALID_LENGTH;
		st->packet_filter = vmbh_get32(data);
		return RNDIS_STATUS_SUCCESS;
	case OID_802_3_MULTICAST_LIST:
		if (len % 6 || len / 6 > VMBH_NETVSP_MCAST_MAX)
			return RNDIS_STATUS_INVALID_LENGTH;
		memcpy(st->mcast, data, len);
		st->mcast_count = len / 6;
		return RNDIS_STATUS_SUCCESS;
	case OID_TCP_OFFLOAD_PARAMETERS:
		return vmbh_set_offload(st, data, len);
	case OID_GEN_RECEIVE_SCALE_PARAMETERS:
		if (cfg->nvsp_version < NVSP_PROTOCOL_VERSION_5)
			return RNDIS_STATUS_NOT_SUPPORTED;
		return vmbh_set_rss(cfg, st, data, len);
	case OID_GEN_RNDIS_CONFIG_PARAMETER:
		return vmbh_set_config_param(st, data, len);
	default:
		return RNDIS_STATUS_NOT_SUPPORTED;
	}
}

static u32 vmbh_rndis_header(u8 *buf, u32 type, u32 len)
{
	vmbh_put32(buf, type);
	vmbh_put32(buf + 4, len);
	return len;
}

/**
 * vmbh_rndis_control_reply() - act on a control message and build its reply
 * @cfg: what the host offers
 * @st: the guest's RNDIS state
 * @ctl: the message, from vmbh_rndis_parse_control()
 * @msg: the message bytes (for the information buffer)
 * @reply: where the reply goes
 * @reply_cap: bytes at @reply, at least %VMBH_NETVSP_REPLY_MAX
 *
 * Return: bytes of the reply, 0 when none is due (HALT), or -EPROTO for
 * a message the RNDIS state does not allow (INITIALIZE twice, anything
 * but INITIALIZE before it).
 */
int vmbh_rndis_control_reply(const struct vmbh_netvsp_cfg *cfg,
			     struct vmbh_rndis_state *st,
			     const struct vmbh_rndis_ctl *ctl, const u8 *msg,
			     u8 *reply, u32 reply_cap)
{
	u8 *body = reply + RNDIS_BODY;

	if (reply_cap < VMBH_NETVSP_REPLY_MAX)
		return -EINVAL;
	if (ctl->type == RNDIS_MSG_INIT) {
		struct rndis_initialize_complete c = {
			.req_id = ctl->req_id,
			.status = RNDIS_STATUS_SUCCESS,
			.major_ver = RNDIS_MAJOR_VERSION,
			.minor_ver = RNDIS_MINOR_VERSION,
			.dev_flags = RNDIS_DF_CONNECTIONLESS,
			.medium = RNDIS_MEDIUM_802_3,
			.max_pkt_per_msg = VMBH_NETVSP_MAX_PKT_PER_MSG,
			.max_xfer_size = 0xEFFFFFFF,
			.pkt_alignment_factor = VMBH_NETVSP_PKT_ALIGN_SHIFT,
		};

		if (st->initialized)
			return -EPROTO;
		st->initialized = true;
		memcpy(body, &c, sizeof(c));
		return vmbh_rndis_header(reply, RNDIS_MSG_INIT_C,
					 RNDIS_BODY + sizeof(c));
	}
	if (!st->initialized)
		return -EPROTO;
	switch (ctl->type) {
	case RNDIS_MSG_HALT:
		st->initialized = false;
		return 0;
	case RNDIS_MSG_QUERY: {
		struct rndis_query_complete c = { .req_id = ctl->req_id };
		u32 cap = VMBH_NETVSP_REPLY_MAX - RNDIS_BODY - sizeof(c);
		u32 len;

		c.status = vmbh_rndis_query(cfg, ctl->oid, msg + ctl->info_offset,
					    ctl->info_len, body + sizeof(c),
					    cap, &len);
		c.info_buflen = len;
		c.info_buf_offset = sizeof(c);
		memcpy(body, &c, sizeof(c));
		return vmbh_rndis_header(reply, RNDIS_MSG_QUERY_C, RNDIS_BODY +
					 sizeof(c) + c.info_buflen);
	}
	case RNDIS_MSG_SET: {
		struct rndis_status_complete c = { .req_id = ctl->req_id };

		c.status = vmbh_rndis_set(cfg, st, ctl->oid,
					  msg + ctl->info_offset, ctl->info_len);
		memcpy(body, &c, sizeof(c));
		return vmbh_rndis_header(reply, RNDIS_MSG_SET_C,
					 RNDIS_BODY + sizeof(c));
	}
	case RNDIS_MSG_RESET: {
		struct rndis_reset_complete c = {
			.status = RNDIS_STATUS_SUCCESS,
		};

		memcpy(body, &c, sizeof(c));
		return vmbh_rndis_header(reply, RNDIS_MSG_RESET_C,
					 RNDIS_BODY + sizeof(c));
	}
	case RNDIS_MSG_KEEPALIVE: {
		struct rndis_status_complete c = {
			.req_id = ctl->req_id,
			.status = RNDIS_STATUS_SUCCESS,
		};

		memcpy(body, &c, sizeof(c));
		return vmbh_rndis_header(reply, RNDIS_MSG_KEEPALIVE_C,
					 RNDIS_BODY + sizeof(c));
	}
	default:
		return -EPROTO;
	}
}

/**
 * vmbh_rndis_build_indicate() - build an INDICATE_STATUS without a buffer
 * @buf: at least 20 bytes
 * @status: RNDIS_STATUS_MEDIA_CONNECT or _DISCONNECT
 *
 * Return: bytes written.
 */
u32 vmbh_rndis_build_indicate(u8 *buf, u32 status)
{
	struct rndis_indicate_status s = { .status = status };

	memcpy(buf + RNDIS_BODY, &s, sizeof(s));
	return vmbh_rndis_header(buf, RNDIS_MSG_INDICATE,
				 RNDIS_BODY + sizeof(s));
}

static u32 vmbh_put_ppi(u8 *p, u32 type, u32 value)
{
	struct rndis_ppi e = {
		.size = sizeof(e) + sizeof(u32),
		.type = type,
		.ppi_offset = sizeof(e),
	};

	memcpy(p, &e, sizeof(e));
	vmbh_put32(p + sizeof(e), value);
	return e.size;
}

/**
 * vmbh_rndis_build_rx_header() - header of a received frame's PACKET message
 * @buf: the sub-allocation; the frame is at %VMBH_NETVSP_RX_DATA_OFFSET
 * @frame_len: bytes of the frame
 * @csum: receive checksum PPI value (always sent, 0 = nothing verified)
 * @has_hash: add a hash PPI
 * @hash: its value
 *
 * PPI sizes add up exactly to per_pkt_info_len, each with its value at
 * offset 12, as the Linux guest's walker needs.
 *
 * Return: msg_len, the bytes of the whole message.
 */
u32 vmbh_rndis_build_rx_header(u8 *buf, u32 frame_len, u32 csum,
			       bool has_hash, u32 hash)
{
	struct rndis_packet rp = {
		.data_offset = VMBH_NETVSP_RX_DATA_OFFSET - RNDIS_BODY,
		.data_len = frame_len,
		.per_pkt_info_offset = sizeof(rp),
	};
	u8 *ppi = buf + RNDIS_BODY + sizeof(rp);

	rp.per_pkt_info_len = vmbh_put_ppi(ppi, RNDIS_PPI_CHECKSUM, csum);
	if (has_hash)
		rp.per_pkt_info_len += vmbh_put_ppi(ppi + rp.per_pkt_info_len,
						    RNDIS_PPI_HASH, hash);
	memcpy(buf + RNDIS_BODY, &rp, sizeof(rp));
	return vmbh_rndis_header(buf, RNDIS_MSG_PACKET,
				 VMBH_NETVSP_RX_DATA_OFFSET + frame_len);
}

/**
 * vmbh_rndis_rx_wanted() - does the guest's packet filter accept a frame
 * @cfg: the NIC's permanent MAC
 * @st: the guest's filter, multicast list and configured MAC
 * @dst: the frame's destination MAC
 *
 * Return: true to deliver.
 */
bool vmbh_rndis_rx_wanted(const struct vmbh_netvsp_cfg *cfg,
			  const struct vmbh_rndis_state *st, const u8 *dst)
{
	static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const u8 *mac = st->config_mac_set ? st->config_mac : cfg->mac;
	u32 f = st->packet_filter;
	u32 i;

	if (f & NDIS_PACKET_TYPE_PROMISCUOUS)
		return true;
	if (!memcmp(dst, bcast, 6))
		return f & NDIS_PACKET_TYPE_BROADCAST;
	if (dst[0] & 1) {
		if (f & NDIS_PACKET_TYPE_ALL_MULTICAST)
			return true;
		if (!(f & NDIS_PACKET_TYPE_MULTICAST))
			return false;
		for (i = 0; i < st->mcast_count; i++)
			if (!memcmp(dst, st->mcast[i], 6))
				return true;
		return false;
	}
	return (f & NDIS_PACKET_TYPE_DIRECTED) && !memcmp(dst, mac, 6);
}

/**
 * vmbh_rxsec_init() - mark every receive sub-allocation free
 * @rs: @count and the three arrays set by the caller
 */
void vmbh_rxsec_init(struct vmbh_rxsec *rs)
{
	u32 i;

	for (i = 0; i < rs->count; i++) {
		rs->free[i] = rs->count - 1 - i;
		rs->owner[i] = VMBH_RXSEC_FREE;
	}
	rs->nr_free = rs->count;
}

/**
 * vmbh_rxsec_get() - take a free sub-allocation
 * @rs: the allocator
 *
 * Return: its index, or -ENOSPC.
 */
int vmbh_rxsec_get(struct vmbh_rxsec *rs)
{
	u32 i;

	if (!rs->nr_free)
		return -ENOSPC;
	i = rs->free[--rs->nr_free];
	rs->owner[i] = VMBH_RXSEC_MEMBER;
	rs->next[i] = VMBH_RXSEC_FREE;
	return i;
}

/**
 * vmbh_rxsec_put() - give back a sub-allocation that was never sent
 * @rs: the allocator
 * @sec: from vmbh_rxsec_get()
 */
void vmbh_rxsec_put(struct vmbh_rxsec *rs, u32 sec)
{
	rs->owner[sec] = VMBH_RXSEC_FREE;
	rs->free[rs->nr_free++] = sec;
}

/**
 * vmbh_rxsec_commit() - the sub-allocations of one transfer-page packet
 * @rs: the allocator
 * @secs: indices from vmbh_rxsec_get(), in packet order
 * @n: at least 1
 * @channel: queue the packet goes to
 *
 * Return: the packet's transaction id (its first sub-allocation).
 */
u64 vmbh_rxsec_commit(struct vmbh_rxsec *rs, const u32 *secs, u32 n,
		      u32 channel)
{
	u32 i;

	for (i = 0; i + 1 < n; i++)
		rs->next[secs[i]] = secs[i + 1];
	rs->next[secs[n - 1]] = VMBH_RXSEC_FREE;
	rs->owner[secs[0]] = channel;
	return secs[0];
}

/**
 * vmbh_rxsec_complete() - the guest completed a transfer-page packet
 * @rs: the allocator
 * @trans_id: the completion's transaction id
 * @channel: queue the completion came on
 *
 * Return: sub-allocations freed, or -EINVAL when @trans_id names no
 * packet outstanding on @channel (unknown, duplicate, wrong channel).
 */
int vmbh_rxsec_complete(struct vmbh_rxsec *rs, u64 trans_id, u32 channel)
{
	u32 i, n = 0;

	if (trans_id >= rs->count || rs->owner[trans_id] != channel)
		return -EINVAL;
	for (i = (u32)trans_id; i != VMBH_RXSEC_FREE; i = rs->next[i]) {
		rs->owner[i] = VMBH_RXSEC_FREE;
		rs->free[rs->nr_free++] = i;
		n++;
	}
	return n;
}

/**
 * vmbh_rxsec_drop_channel() - free the packets a closed channel still holds
 * @rs: the allocator
 * @channel: the queue that closed; its ring, and the completions the guest
 *	owed for the packets in it, went with it
 *
 * Return: sub-allocations freed.
 */
u32 vmbh_rxsec_drop_channel(struct vmbh_rxsec *rs, u32 channel)
{
	u32 i, n = 0;
	int ret;

	for (i = 0; i < rs->count; i++) {
		if (rs->owner[i] != channel)
			continue;
		ret = vmbh_rxsec_complete(rs, i, channel);
		if (ret > 0)
			n += ret;
	}
	return n;
}
