// SPDX-License-Identifier: GPL-2.0
/*
 * The "storvsp" LIO fabric: target ports named by WWPN, one TPG each, whose
 * LUNs a VM's synthetic SCSI controller exposes; commands into the target core.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/configfs.h>
#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <scsi/scsi_proto.h>
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>

#include "storvsp.h"

/* Protects the tport list, tport->tpg, tpg->ctrl and tpg->luns updates. */
static DEFINE_MUTEX(storvsp_mutex);
static LIST_HEAD(storvsp_tports);

static struct storvsp_tpg *to_storvsp_tpg(struct se_portal_group *se_tpg)
{
	return container_of(se_tpg, struct storvsp_tpg, se_tpg);
}

static struct storvsp_cmd *to_storvsp_cmd(struct se_cmd *se_cmd)
{
	return container_of(se_cmd, struct storvsp_cmd, se_cmd);
}

static char *storvsp_tpg_get_wwn(struct se_portal_group *se_tpg)
{
	return to_storvsp_tpg(se_tpg)->tport->name;
}

static u16 storvsp_tpg_get_tag(struct se_portal_group *se_tpg)
{
	return to_storvsp_tpg(se_tpg)->tag;
}

/* Demo mode: the VM's session gets a dynamic ACL that sees every LUN. */
static int storvsp_check_true(struct se_portal_group *se_tpg)
{
	return 1;
}

static int storvsp_check_stop_free(struct se_cmd *se_cmd)
{
	return target_put_sess_cmd(se_cmd);
}

/*
 * The last reference is gone (target core done and our ACK_KREF put):
 * answer the guest now that the buffer is no longer used.
 */
static void storvsp_release_cmd(struct se_cmd *se_cmd)
{
	storvsp_cmd_done(to_storvsp_cmd(se_cmd));
}

static int storvsp_write_pending(struct se_cmd *se_cmd)
{
	/* The data is in guest memory already: nothing to fetch. */
	target_execute_cmd(se_cmd);
	return 0;
}

static int storvsp_queue_status(struct se_cmd *se_cmd)
{
	to_storvsp_cmd(se_cmd)->responded = true;
	transport_generic_free_cmd(se_cmd, 0);
	return 0;
}

static void storvsp_queue_tm_rsp(struct se_cmd *se_cmd)
{
}

static void storvsp_aborted_task(struct se_cmd *se_cmd)
{
}

/* "naa." followed by 16 hex digits. */
static bool storvsp_wwpn_valid(const char *name)
{
	int i;

	if (strlen(name) != STORVSP_WWPN_LEN || strncmp(name, "naa.", 4))
		return false;
	for (i = 4; i < STORVSP_WWPN_LEN; i++)
		if (!isxdigit(name[i]))
			return false;
	return true;
}

static struct se_wwn *storvsp_make_tport(struct target_fabric_configfs *tf,
					 struct config_group *group,
					 const char *name)
{
	struct storvsp_tport *tport;

	if (!storvsp_wwpn_valid(name)) {
		pr_err("target name %s: want naa. and 16 hex digits\n", name);
		return ERR_PTR(-EINVAL);
	}
	tport = kzalloc(sizeof(*tport), GFP_KERNEL);
	if (!tport)
		return ERR_PTR(-ENOMEM);
	strscpy(tport->name, name, sizeof(tport->name));
	mutex_lock(&storvsp_mutex);
	list_add_tail(&tport->node, &storvsp_tports);
	mutex_unlock(&storvsp_mutex);
	return &tport->wwn;
}

static void storvsp_drop_tport(struct se_wwn *wwn)
{
	struct storvsp_tport *tport = container_of(wwn, struct storvsp_tport,
						   wwn);

	mutex_lock(&storvsp_mutex);
	list_del(&tport->node);
	mutex_unlock(&storvsp_mutex);
	kfree(tport);
}

static struct se_portal_group *storvsp_make_tpg(struct se_wwn *wwn,
						const char *name)
{
	struct storvsp_tport *tport = container_of(wwn, struct storvsp_tport,
						   wwn);
	struct storvsp_tpg *tpg;
	u16 tag;
	int ret;

	if (strncmp(name, "tpgt_", 5) || kstrtou16(name + 5, 10, &tag))
		return ERR_PTR(-EINVAL);

	tpg = kzalloc(sizeof(*tpg), GFP_KERNEL);
	if (!tpg)
		return ERR_PTR(-ENOMEM);
	tpg->tport = tport;
	tpg->tag = tag;

	mutex_lock(&storvsp_mutex);
	if (tport->tpg) {
		mutex_unlock(&storvsp_mutex);
		pr_err("%s: one TPG per target port\n", tport->name);
		kfree(tpg);
		return ERR_PTR(-EBUSY);
	}
	ret = core_tpg_register(wwn, &tpg->se_tpg, SCSI_PROTOCOL_SAS);
	if (ret < 0) {
		mutex_unlock(&storvsp_mutex);
		kfree(tpg);
		return ERR_PTR(ret);
	}
	tport->tpg = tpg;
	mutex_unlock(&storvsp_mutex);
	return &tpg->se_tpg;
}

static void storvsp_drop_tpg(struct se_portal_group *se_tpg)
{
	struct storvsp_tpg *tpg = to_storvsp_tpg(se_tpg);

	/* A bound controller holds a configfs dependency: ctrl is NULL. */
	mutex_lock(&storvsp_mutex);
	tpg->tport->tpg = NULL;
	mutex_unlock(&storvsp_mutex);
	core_tpg_deregister(se_tpg);
	kfree(tpg);
}

static int storvsp_port_link(struct se_portal_group *se_tpg,
			     struct se_lun *lun)
{
	struct storvsp_tpg *tpg = to_storvsp_tpg(se_tpg);

	/* The guest addresses LUNs with one byte; the core ignores errors. */
	if (lun->unpacked_lun >= VSTOR_MAX_LUNS) {
		pr_warn("%s: LUN %llu is linked but no guest can reach it (0-%u)\n",
			tpg->tport->name, lun->unpacked_lun,
			VSTOR_MAX_LUNS - 1);
		return 0;
	}
	mutex_lock(&storvsp_mutex);
	set_bit(lun->unpacked_lun, tpg->luns);
	if (tpg->ctrl)
		storvsp_rescan(tpg->ctrl);
	mutex_unlock(&storvsp_mutex);
	return 0;
}

static void storvsp_port_unlink(struct se_portal_group *se_tpg,
				struct se_lun *lun)
{
	struct storvsp_tpg *tpg = to_storvsp_tpg(se_tpg);

	if (lun->unpacked_lun >= VSTOR_MAX_LUNS)
		return;
	mutex_lock(&storvsp_mutex);
	clear_bit(lun->unpacked_lun, tpg->luns);
	if (tpg->ctrl)
		storvsp_rescan(tpg->ctrl);
	mutex_unlock(&storvsp_mutex);
}

static ssize_t storvsp_tpg_device_show(struct config_item *item, char *page)
{
	struct storvsp_tpg *tpg = to_storvsp_tpg(to_tpg(item));
	ssize_t ret;

	mutex_lock(&storvsp_mutex);
	ret = sysfs_emit(page, "%s\n",
			 tpg->ctrl ? vmbh_dev_name(tpg->ctrl->dev) : "");
	mutex_unlock(&storvsp_mutex);
	return ret;
}

CONFIGFS_ATTR_RO(storvsp_tpg_, device);

static struct configfs_attribute *storvsp_tpg_attrs[] = {
	&storvsp_tpg_attr_device,
	NULL,
};

static const struct target_core_fabric_ops storvsp_fabric_ops = {
	.module				= THIS_MODULE,
	.fabric_name			= STORVSP_FABRIC_NAME,
	.max_data_sg_nents		= VMBH_VSTOR_MAX_TRANSFER / PAGE_SIZE,
	.tpg_get_wwn			= storvsp_tpg_get_wwn,
	.tpg_get_tag			= storvsp_tpg_get_tag,
	.tpg_check_demo_mode		= storvsp_check_true,
	.tpg_check_demo_mode_cache	= storvsp_check_true,
	.check_stop_free		= storvsp_check_stop_free,
	.release_cmd			= storvsp_release_cmd,
	.write_pending			= storvsp_write_pending,
	.queue_data_in			= storvsp_queue_status,
	.queue_status			= storvsp_queue_status,
	.queue_tm_rsp			= storvsp_queue_tm_rsp,
	.aborted_task			= storvsp_aborted_task,
	.fabric_make_wwn		= storvsp_make_tport,
	.fabric_drop_wwn		= storvsp_drop_tport,
	.fabric_make_tpg		= storvsp_make_tpg,
	.fabric_drop_tpg		= storvsp_drop_tpg,
	.fabric_post_link		= storvsp_port_link,
	.fabric_pre_unlink		= storvsp_port_unlink,
	.tfc_tpg_base_attrs		= storvsp_tpg_attrs,
#ifdef VMBH_TARGET_SUBMIT_TYPE
	/* The channel worker may block in the backend; the VM waits anyway. */
	.default_submit_type		= TARGET_DIRECT_SUBMIT,
	.direct_submit_supp		= 1,
#endif
};

/**
 * storvsp_bind() - serve the TPG of target port @wwpn to a controller
 * @ctrl: the controller of a device being added
 * @wwpn: the VMM's class parameter
 *
 * Holds a configfs dependency on the TPG (it cannot be removed while a VM
 * uses it) and opens the VM's I_T nexus.
 *
 * Return: 0; -EINVAL for a malformed name; -ENOENT when no such target
 * port exists; -ENODEV when it has no TPG; -EBUSY when another device
 * serves it; other errors from the target core.
 */
int storvsp_bind(struct storvsp_ctrl *ctrl, const char *wwpn)
{
	struct storvsp_tport *tport;
	struct storvsp_tpg *tpg = NULL;
	struct se_session *sess;
	char initiator[48];
	int ret;

	if (!storvsp_wwpn_valid(wwpn))
		return -EINVAL;

	mutex_lock(&storvsp_mutex);
	ret = -ENOENT;
	list_for_each_entry(tport, &storvsp_tports, node) {
		if (!strcmp(tport->name, wwpn)) {
			tpg = tport->tpg;
			ret = tpg ? 0 : -ENODEV;
			break;
		}
	}
	if (ret)
		goto out_unlock;
	if (tpg->ctrl) {
		ret = -EBUSY;
		goto out_unlock;
	}
	/*
	 * Safe under storvsp_mutex: configfs takes only the root inode lock
	 * here, and a racing rmdir that already started makes this fail.
	 */
	ret = target_depend_item(&tpg->se_tpg.tpg_group.cg_item);
	if (ret)
		goto out_unlock;

	snprintf(initiator, sizeof(initiator), "vmbh.%pUl",
		 vmbh_dev_instance(ctrl->dev));
	sess = target_setup_session(&tpg->se_tpg, 0, 0, TARGET_PROT_NORMAL,
				    initiator, ctrl, NULL);
	if (IS_ERR(sess)) {
		ret = PTR_ERR(sess);
		goto out_undepend;
	}
	ctrl->sess = sess;
	ctrl->tpg = tpg;
	tpg->ctrl = ctrl;
	mutex_unlock(&storvsp_mutex);
	return 0;

out_undepend:
	target_undepend_item(&tpg->se_tpg.tpg_group.cg_item);
out_unlock:
	mutex_unlock(&storvsp_mutex);
	return ret;
}

/**
 * storvsp_unbind() - undo storvsp_bind()
 * @ctrl: a bound controller whose channels are all closed
 */
void storvsp_unbind(struct storvsp_ctrl *ctrl)
{
	struct storvsp_tpg *tpg = ctrl->tpg;

	mutex_lock(&storvsp_mutex);
	tpg->ctrl = NULL;
	mutex_unlock(&storvsp_mutex);
	target_remove_session(ctrl->sess);
	target_undepend_item(&tpg->se_tpg.tpg_group.cg_item);
	ctrl->sess = NULL;
	ctrl->tpg = NULL;
}

/**
 * storvsp_lun_present() - whether a LUN is linked in the controller's TPG
 * @ctrl: a bound controller
 * @lun: the guest's LUN number
 *
 * Return: true when linked.
 */
bool storvsp_lun_present(struct storvsp_ctrl *ctrl, u8 lun)
{
	return lun < VSTOR_MAX_LUNS && test_bit(lun, ctrl->tpg->luns);
}

/**
 * storvsp_submit() - hand an SRB to the target core
 * @cmd: the command, with q, cdb, sgl and nents set
 * @lun: LUN number
 * @len: data bytes
 * @data_in: VSTOR_DATA_IN, VSTOR_DATA_OUT or VSTOR_DATA_NONE
 *
 * Every outcome ends in storvsp_release_cmd(), which answers the guest.
 */
void storvsp_submit(struct storvsp_cmd *cmd, u8 lun, u32 len, u8 data_in)
{
	struct se_cmd *se_cmd = &cmd->se_cmd;
	enum dma_data_direction dir;

	switch (data_in) {
	case VSTOR_DATA_IN:
		dir = DMA_FROM_DEVICE;
		break;
	case VSTOR_DATA_OUT:
		dir = DMA_TO_DEVICE;
		break;
	default:
		dir = DMA_NONE;
		break;
	}

	if (target_init_cmd(se_cmd, cmd->q->ctrl->sess, cmd->sense, lun, len,
			    TCM_SIMPLE_TAG, dir, TARGET_SCF_ACK_KREF)) {
		/* The session is stopping: the target core never saw it. */
		storvsp_cmd_done(cmd);
		return;
	}
	if (target_submit_prep(se_cmd, cmd->cdb, cmd->nents ? cmd->sgl : NULL,
			       cmd->nents, NULL, 0, NULL, 0, GFP_KERNEL))
		return;
	target_submit(se_cmd);
}

int storvsp_fabric_init(void)
{
	return target_register_template(&storvsp_fabric_ops);
}

void storvsp_fabric_exit(void)
{
	target_unregister_template(&storvsp_fabric_ops);
}
