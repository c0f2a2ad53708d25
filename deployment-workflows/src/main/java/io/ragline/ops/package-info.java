/**
 * Operations on Temporal: deploy (rolling, blue-green, canary), backup, restore and disaster
 * recovery. The workflows arrive with issue #6; this module holds their place in the layout so
 * that nothing else has to move when they do.
 */
package io.ragline.ops;
