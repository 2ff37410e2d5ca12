### tests shared by every area (each area's own tests are in its local.mk)
