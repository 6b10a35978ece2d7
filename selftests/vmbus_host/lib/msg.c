// SPDX-License-Identifier: GPL-2.0
/*
 * Control message builders of the test guest: GPADL descriptions and their
 * split into GPADL_HEADER/GPADL_BODY messages (drivers/hv/channel.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int tg_gpadl_desc_add(struct tg_gpadl_desc *d, uint32_t byte_count,
		      uint32_t byte_offset, const uint64_t *pfns,
		      uint32_t npfns)
{
	uint64_t *w = realloc(d->words, (d->nwords + 1 + npfns) * 8);

	if (!w)
		return -ENOMEM;
	d->words = w;
	w[d->nwords++] = (uint64_t)byte_offset << 32 | byte_count;
	memcpy(w + d->nwords, pfns, npfns * 8ul);
	d->nwords += npfns;
	d->rangecount++;
	return 0;
}

int tg_gpadl_desc_simple(struct tg_gpadl_desc *d, const uint64_t *pfns,
			 uint32_t npages)
{
	memset(d, 0, sizeof(*d));
	return tg_gpadl_desc_add(d, npages * 4096u, 0, pfns, npages);
}

void tg_gpadl_desc_free(struct tg_gpadl_desc *d)
{
	free(d->words);
	memset(d, 0, sizeof(*d));
}

int tg_gpadl_msgs(const struct tg_gpadl_desc *d, uint32_t relid,
		  uint32_t gpadl, uint32_t range_buflen,
		  int (*post)(void *ctx, const void *msg, uint32_t len),
		  void *ctx)
{
	uint8_t buf[240];
	struct tg_gpadl_header *h = (void *)buf;
	struct tg_gpadl_body *b = (void *)buf;
	uint32_t done, n;
	int ret;

	memset(buf, 0, sizeof(buf));
	h->hdr.msgtype = TG_MSG_GPADL_HEADER;
	h->child_relid = relid;
	h->gpadl = gpadl;
	h->range_buflen = range_buflen ? range_buflen : d->nwords * 8;
	h->rangecount = d->rangecount;
	n = d->nwords < TG_GPADL_HEADER_WORDS ? d->nwords : TG_GPADL_HEADER_WORDS;
	memcpy(buf + sizeof(*h), d->words, n * 8);
	ret = post(ctx, buf, sizeof(*h) + n * 8);
	if (ret)
		return ret;

	for (done = n; done < d->nwords; done += n) {
		n = d->nwords - done;
		if (n > TG_GPADL_BODY_WORDS)
			n = TG_GPADL_BODY_WORDS;
		memset(buf, 0, sizeof(buf));
		b->hdr.msgtype = TG_MSG_GPADL_BODY;
		b->gpadl = gpadl;
		memcpy(buf + sizeof(*b), d->words + done, n * 8);
		ret = post(ctx, buf, sizeof(*b) + n * 8);
		if (ret)
			return ret;
	}
	return 0;
}
