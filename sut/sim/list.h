// File: sut/sim/list.h
// The simulated kernel's struct list_head: an intrusive, circular, doubly
// linked list. A node is a base class of the object it links (one base per
// list the object can be on, told apart by a tag type), so linking never
// allocates and unlinking is O(1), as in the kernel.
//
//   struct Item : ListNode<struct ReadyTag> { int v; };
//   IntrusiveList<Item, ReadyTag> ready;
//   ready.PushBack(&item);           // list_add_tail
//   item.ListNode<ReadyTag>::Unlink();   // list_del_init
//
// Linux: include/linux/list.h. Not thread-safe: every list names the lock
// that protects it where it is declared.
#pragma once

#include <cstddef>

namespace epollcheck::sim {

template <class Tag> struct ListNode {
  ListNode() = default;
  ListNode(const ListNode&) = delete;
  ListNode& operator=(const ListNode&) = delete;

  // Linux: list_empty(&node) after INIT_LIST_HEAD/list_del_init: the node is
  // on no list (ep_is_linked() is its negation).
  bool Unlinked() const { return next_ == this; }
  // Linux: list_del_init.
  void Unlink() {
    prev_->next_ = next_;
    next_->prev_ = prev_;
    prev_ = next_ = this;
  }

  ListNode* prev_ = this;
  ListNode* next_ = this;
};

template <class T, class Tag> class IntrusiveList {
public:
  using Node = ListNode<Tag>;

  IntrusiveList() = default;
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;

  bool Empty() const { return head_.next_ == &head_; }
  // Linux: list_add_tail.
  void PushBack(T* item) { InsertBetween(item, head_.prev_, &head_); }
  // Linux: list_add.
  void PushFront(T* item) { InsertBetween(item, &head_, head_.next_); }
  T* Front() { return Empty() ? nullptr : static_cast<T*>(head_.next_); }
  T* Back() { return Empty() ? nullptr : static_cast<T*>(head_.prev_); }
  // The node after / before `item` (on this list), or null at the end.
  // Linux: skb_peek_next / the prev pointer, list_next_entry.
  T* Next(T* item) {
    Node* n = static_cast<Node*>(item)->next_;
    return n == &head_ ? nullptr : static_cast<T*>(n);
  }
  T* Prev(T* item) {
    Node* n = static_cast<Node*>(item)->prev_;
    return n == &head_ ? nullptr : static_cast<T*>(n);
  }
  // Unlinks and returns the first node, or null. Linux: __skb_dequeue.
  T* PopFront() {
    T* item = Front();
    if (item != nullptr)
      static_cast<Node*>(item)->Unlink();
    return item;
  }
  // Linux: list_splice_init(this, to): moves every node of this list, in
  // order, to the front of `to`, and leaves this list empty.
  void SpliceInitToFront(IntrusiveList& to) {
    if (Empty())
      return;
    Node* first = head_.next_;
    Node* last = head_.prev_;
    Node* at = to.head_.next_;
    first->prev_ = &to.head_;
    to.head_.next_ = first;
    last->next_ = at;
    at->prev_ = last;
    head_.prev_ = head_.next_ = &head_;
  }
  // Calls f(T*) for each node in order; f may unlink the node it is given
  // (list_for_each_entry_safe). f returns false to stop.
  template <class F> void ForEachSafe(F&& f) {
    for (Node *n = head_.next_, *next = n->next_; n != &head_;
         n = next, next = n->next_) {
      if (!f(static_cast<T*>(n)))
        return;
    }
  }
  size_t Size() const {
    size_t n = 0;
    for (const Node* p = head_.next_; p != &head_; p = p->next_)
      ++n;
    return n;
  }

private:
  static void InsertBetween(T* item, Node* prev, Node* next) {
    Node* n = item;
    n->prev_ = prev;
    n->next_ = next;
    prev->next_ = n;
    next->prev_ = n;
  }
  Node head_;
};

}  // namespace epollcheck::sim
