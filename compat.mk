# SPDX-License-Identifier: GPL-2.0
#
# Shared by every module's Kbuild: include paths and compile-time probes of
# the kernel being built against.  Probes test the headers for an API, never
# a version number, so a distribution backport is picked up as it is.

ccflags-y += -I$(src)/../include

# $(call vmbh_probe,header,extended-regex,flag): flag when the header
# (a path below the kernel tree) matches
vmbh_probe = $(shell grep -qsE '$(2)' $(srctree)/$(1) && echo $(3))

# Before 6.13 symbol namespaces were bare identifiers, stringified by the macros.
ccflags-y += $(call vmbh_probe,include/linux/module.h,import_ns.*__stringify,-DVMBH_NS_BARE)

# Before 6.8 eventfd_signal() took a count to add.
ccflags-y += $(call vmbh_probe,include/linux/eventfd.h,eventfd_signal\(struct eventfd_ctx \*ctx$(comma) __u64 n\),-DVMBH_EVENTFD_SIGNAL_COUNT)

# KVM's external write tracking by gfn (6.7 on; needs
# CONFIG_KVM_EXTERNAL_WRITE_TRACKING, tested in compat.h).
ccflags-y += $(call vmbh_probe,arch/x86/include/asm/kvm_page_track.h,kvm_write_track_add_gfn,-DVMBH_HAVE_KVM_WRITE_TRACK)

# Newer kernels export file_is_kvm() to KVM's own modules only; without it
# a KVM VM fd cannot be recognised, so VMBH_SET_KVM is not offered.
ccflags-y += $(call vmbh_probe,include/linux/kvm_types.h,EXPORT_SYMBOL_FOR_KVM_INTERNAL,-DVMBH_KVM_FILE_INTERNAL)
