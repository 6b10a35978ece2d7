// SPDX-License-Identifier: GPL-2.0
/*
 * Registry of the device classes that backend modules serve.  A device of
 * a class pins the class's module for as long as the device exists.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include "vmbus_host.h"

/* Protects vmbh_classes. */
static DEFINE_MUTEX(vmbh_classes_lock);
static LIST_HEAD(vmbh_classes);

static struct vmbh_class *vmbh_class_find(u32 id)
{
	struct vmbh_class *cls;

	lockdep_assert_held(&vmbh_classes_lock);
	list_for_each_entry(cls, &vmbh_classes, node)
		if (cls->id == id)
			return cls;
	return NULL;
}

int vmbh_register_class(struct vmbh_class *cls)
{
	int ret = 0;

	if (!cls->id || !cls->name)
		return -EINVAL;
	mutex_lock(&vmbh_classes_lock);
	if (vmbh_class_find(cls->id))
		ret = -EEXIST;
	else
		list_add_tail(&cls->node, &vmbh_classes);
	mutex_unlock(&vmbh_classes_lock);
	if (!ret)
		pr_info("class %s (%u) registered\n", cls->name, cls->id);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vmbh_register_class, VMBH_NS);

/*
 * No device of the class exists any more: each one holds a reference on
 * the class's module, so the module cannot be on its way out before them.
 * (The test class is in this module, which /dev/vmbus-host files pin.)
 */
void vmbh_unregister_class(struct vmbh_class *cls)
{
	mutex_lock(&vmbh_classes_lock);
	list_del(&cls->node);
	mutex_unlock(&vmbh_classes_lock);
	pr_info("class %s (%u) unregistered\n", cls->name, cls->id);
}
EXPORT_SYMBOL_NS_GPL(vmbh_unregister_class, VMBH_NS);

/* Look up a class and pin its module; NULL when absent or unloading. */
struct vmbh_class *vmbh_class_get(u32 id)
{
	struct vmbh_class *cls;

	mutex_lock(&vmbh_classes_lock);
	cls = vmbh_class_find(id);
	if (cls && !try_module_get(cls->owner))
		cls = NULL;
	mutex_unlock(&vmbh_classes_lock);
	return cls;
}

void vmbh_class_put(struct vmbh_class *cls)
{
	module_put(cls->owner);
}
