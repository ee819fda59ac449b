//! The sentences people send, and what the offline assistant must read in
//! each: the product's own, everyday phrasings, politeness, typos, numbers and
//! verbs in other roles, other languages and awkward Unicode.

use super::intent::{Change, Intent};
use super::reply::{ASK_COMPLETE, ASK_DELETE, CONFIRM_COMPLETE, CONFIRM_DELETE};
use crate::db::models::TaskFilter;

fn add(title: &str) -> Intent {
    Intent::Add {
        title: title.into(),
    }
}
fn title(id: i64, title: &str) -> Intent {
    Intent::Update {
        id,
        change: Change::Title(title.into()),
    }
}
fn describe(id: i64, text: &str) -> Intent {
    Intent::Update {
        id,
        change: Change::Description(text.into()),
    }
}
fn delete_named(name: &str) -> Intent {
    Intent::DeleteByName(name.into())
}
fn complete_named(name: &str) -> Intent {
    Intent::CompleteByName(name.into())
}

use Intent::{
    AddWithoutTitle, Complete, ConfirmComplete, ConfirmDelete, Delete, Greeting, Reopen, Thanks,
    Unclear, Unknown,
};
const ALL: Intent = Intent::List(TaskFilter::All);
const PENDING: Intent = Intent::List(TaskFilter::Pending);
const COMPLETED: Intent = Intent::List(TaskFilter::Completed);

fn corpus() -> Vec<(&'static str, Intent)> {
    vec![
        // The product's sentences.
        ("Add a task to buy groceries", add("Buy groceries")),
        ("I need to remember to pay bills", add("Pay bills")),
        ("Show me all my tasks", ALL),
        ("What's pending?", PENDING),
        ("What have I completed?", COMPLETED),
        ("Mark task 3 as complete", Complete(3)),
        ("Delete the meeting task", delete_named("meeting")),
        (
            "Change task 1 to 'Call mom tonight'",
            title(1, "Call mom tonight"),
        ),
        // Numbers and verbs inside an add are part of the title, never a task reference.
        (
            "Add a task to cancel the 66 gym memberships",
            add("Cancel the 66 gym memberships"),
        ),
        (
            "Remind me to go to the market at 67",
            add("Go to the market at 67"),
        ),
        (
            "I need to remember to drop off 69 parcels",
            add("Drop off 69 parcels"),
        ),
        ("add buy 70 eraser refills", add("Buy 70 eraser refills")),
        (
            "Add task: exchange 71 euros to dollars",
            add("Exchange 71 euros to dollars"),
        ),
        (
            "update task 67 description to bring the charger",
            describe(67, "bring the charger"),
        ),
        // More adds that contain change verbs, numbers or both.
        ("Add a task to delete old emails", add("Delete old emails")),
        ("add delete task 3", add("Delete task 3")),
        (
            "add remove the 5 broken chairs",
            add("Remove the 5 broken chairs"),
        ),
        ("Add a task to mark 20 exams", add("Mark 20 exams")),
        (
            "add complete the tax form by the 15th",
            add("Complete the tax form by the 15th"),
        ),
        ("Add a task to finish chapter 4", add("Finish chapter 4")),
        ("add rename task 2 to x", add("Rename task 2 to x")),
        ("add change task 1 to 'y'", add("Change task 1 to 'y'")),
        (
            "Add a task to edit the credit report",
            add("Edit the credit report"),
        ),
        (
            "Remind me to cancel Netflix on the 3rd",
            add("Cancel Netflix on the 3rd"),
        ),
        ("Remind me to update task 4", add("Update task 4")),
        ("remind me to call 911 training", add("Call 911 training")),
        ("I need to finish task 3", add("Finish task 3")),
        ("I need to delete 12 photos", add("Delete 12 photos")),
        ("I have to mark 30 essays", add("Mark 30 essays")),
        (
            "I have to remember to renew passport 2",
            add("Renew passport 2"),
        ),
        ("I must return 2 books", add("Return 2 books")),
        ("I should call 3 plumbers", add("Call 3 plumbers")),
        (
            "Create a task to drop the car at 8",
            add("Drop the car at 8"),
        ),
        (
            "create task done is better than perfect",
            add("Done is better than perfect"),
        ),
        ("new task: delete 4 duplicates", add("Delete 4 duplicates")),
        ("New task cancel gym #2", add("Cancel gym #2")),
        ("todo: remove task 9 sticker", add("Remove task 9 sticker")),
        ("To do: complete 3 forms", add("Complete 3 forms")),
        ("Task: erase whiteboard 5", add("Erase whiteboard 5")),
        (
            "don't forget to mark task 3 as done",
            add("Mark task 3 as done"),
        ),
        (
            "Remember to cancel the 10am call",
            add("Cancel the 10am call"),
        ),
        ("add a task called delete me", add("Delete me")),
        ("add a task named #7 done", add("#7 done")),
        ("add a new task to clear 40 emails", add("Clear 40 emails")),
        ("Add to my list: 6 eggs", add("6 eggs")),
        ("add 3", add("3")),
        ("add #3", add("#3")),
        ("add task 3", add("3")),
        ("add done", add("Done")),
        ("add delete", add("Delete")),
        ("ADD A TASK TO DELETE EVERYTHING", add("DELETE EVERYTHING")),
        ("Add A Task To Remove Task 5", add("Remove Task 5")),
        ("add abandoned car report", add("Abandoned car report")),
        ("add go to the market", add("Go to the market")),
        ("add credit card payment", add("Credit card payment")),
        ("add cancellation letter", add("Cancellation letter")),
        // Add phrasings, politeness and case.
        ("Please add a task to buy groceries", add("Buy groceries")),
        ("Can you add a task to call the bank?", add("Call the bank")),
        ("could you please add walk the dog", add("Walk the dog")),
        ("hey, add milk", add("Milk")),
        ("ok add bread", add("Bread")),
        (
            "Would you add a new task to water the plants",
            add("Water the plants"),
        ),
        ("kindly add a task to file taxes", add("File taxes")),
        ("add milk", add("Milk")),
        ("Add Milk", add("Milk")),
        ("add eBay listing", add("eBay listing")),
        ("add iPhone repair", add("iPhone repair")),
        ("add 'quoted title'", add("Quoted title")),
        ("add \"double quoted\"", add("Double quoted")),
        ("add “curly quoted”", add("Curly quoted")),
        ("add task - call Anna", add("Call Anna")),
        ("Add a task to buy groceries.", add("Buy groceries")),
        ("add a task to buy groceries!!!", add("Buy groceries")),
        ("add task to water plants", add("Water plants")),
        ("create a new task to book flights", add("Book flights")),
        ("create task pay rent", add("Pay rent")),
        ("create pay rent", add("Pay rent")),
        ("make a task to clean the garage", add("Clean the garage")),
        ("new task: read a book", add("Read a book")),
        ("new todo: call grandma", add("Call grandma")),
        ("todo: fix the bike", add("Fix the bike")),
        ("to-do: wash car", add("Wash car")),
        ("reminder: dentist on Friday", add("Dentist on Friday")),
        ("remind me to stretch", add("Stretch")),
        ("Remind me about the dentist", add("The dentist")),
        ("remember to buy milk", add("Buy milk")),
        ("Don't forget to call mom", add("Call mom")),
        ("dont forget to call dad", add("Call dad")),
        ("I need to buy milk", add("Buy milk")),
        ("i have to study", add("Study")),
        ("I must remember to lock the door", add("Lock the door")),
        ("I gotta fix the sink", add("Fix the sink")),
        ("I've got to write the report", add("Write the report")),
        ("add a task", AddWithoutTitle),
        ("add", AddWithoutTitle),
        ("Add task:", AddWithoutTitle),
        ("create a task", AddWithoutTitle),
        ("remind me to", AddWithoutTitle),
        // Listing.
        ("show my tasks", ALL),
        ("list my tasks", ALL),
        ("list tasks", ALL),
        ("Show me everything", ALL),
        ("what are my tasks", ALL),
        ("What tasks do I have?", ALL),
        ("tasks", ALL),
        ("my tasks", ALL),
        ("show all", ALL),
        ("Can you show me my tasks please", ALL),
        ("please list all tasks", ALL),
        ("view tasks", ALL),
        ("display my list", ALL),
        ("check my tasks", ALL),
        ("give me my list", ALL),
        ("shwo my tasks", ALL),
        ("lsit tasks", ALL),
        ("show tsks", ALL),
        ("What's pending", PENDING),
        ("whats pending", PENDING),
        ("What’s pending?", PENDING),
        ("what is left to do", PENDING),
        ("What's left?", PENDING),
        ("show pending tasks", PENDING),
        ("show open tasks", PENDING),
        ("list remaining tasks", PENDING),
        ("what do I still have to do", PENDING),
        ("Which tasks are outstanding?", PENDING),
        ("show unfinished", PENDING),
        ("pending", PENDING),
        ("what's on my todo list", PENDING),
        ("What is due?", PENDING),
        ("what have I done", COMPLETED),
        ("show completed", COMPLETED),
        ("show completed tasks", COMPLETED),
        ("list finished tasks", COMPLETED),
        ("Which tasks are done?", COMPLETED),
        ("completed", COMPLETED),
        ("what did I complete", COMPLETED),
        ("show me what I've finished", COMPLETED),
        // Completing by number.
        ("Mark task 3 as completed", Complete(3)),
        ("mark task 3 done", Complete(3)),
        ("mark 3 as done", Complete(3)),
        ("mark #3 complete", Complete(3)),
        ("mark task number 3 as finished", Complete(3)),
        ("complete task 3", Complete(3)),
        ("complete 3", Complete(3)),
        ("complete #3", Complete(3)),
        ("finish task 12", Complete(12)),
        ("done with 3", Complete(3)),
        ("done with task 4", Complete(4)),
        ("task 3 done", Unknown),
        ("check off task 5", Complete(5)),
        ("tick off #6", Complete(6)),
        ("tick task 6 off", Complete(6)),
        ("cross off task 2", Complete(2)),
        ("close task 8", Complete(8)),
        ("please mark task 3 as complete", Complete(3)),
        ("Can you mark task 3 as done?", Complete(3)),
        ("could you complete task 9 please", Complete(9)),
        ("hey complete #2", Complete(2)),
        ("ok, mark 4 done", Complete(4)),
        ("MARK TASK 3 AS COMPLETE", Complete(3)),
        ("compelte task 3", Complete(3)),
        ("change task 5 to done", Complete(5)),
        ("update task 5 to completed", Complete(5)),
        // Completing by name: asked, not done, by the reply.
        (
            "mark the groceries task as done",
            complete_named("groceries"),
        ),
        ("complete the groceries task", complete_named("groceries")),
        ("finish the report", complete_named("report")),
        ("check off milk", complete_named("milk")),
        (
            "mark call with the bank as done",
            complete_named("call with the bank"),
        ),
        ("Mark Gym as complete", complete_named("Gym")),
        // Deleting by number.
        ("Delete task 2", Delete(2)),
        ("delete 2", Delete(2)),
        ("delete #2", Delete(2)),
        ("delete task #2", Delete(2)),
        ("delete task number 2", Delete(2)),
        ("delete number 2", Delete(2)),
        ("remove task 2", Delete(2)),
        ("remove task 2 from my list", Delete(2)),
        ("erase task 11", Delete(11)),
        ("trash #4", Delete(4)),
        ("get rid of task 7", Delete(7)),
        ("cancel task 66", Delete(66)),
        ("drop task 3", Delete(3)),
        ("please delete task 2", Delete(2)),
        ("can you delete task 2?", Delete(2)),
        ("could you remove #5 please", Delete(5)),
        ("Delete task 2 now", Delete(2)),
        ("delte task 2", Unknown),
        ("delet task 2", Delete(2)),
        ("DELETE TASK 2", Delete(2)),
        // Deleting by name: asked first, by the reply.
        ("delete the gym task", delete_named("gym")),
        ("remove milk", delete_named("milk")),
        (
            "cancel the 66 gym memberships",
            delete_named("66 gym memberships"),
        ),
        (
            "get rid of the dentist appointment",
            delete_named("dentist appointment"),
        ),
        (
            "please delete my call with the bank",
            delete_named("call with the bank"),
        ),
        ("drop off 69 parcels", delete_named("off 69 parcels")),
        ("Delete the İstanbul trip", delete_named("İstanbul trip")),
        // Changing a title or a description.
        (
            "rename task 2 to Walk the dog twice",
            title(2, "Walk the dog twice"),
        ),
        ("rename 2 to call Bob", title(2, "Call Bob")),
        ("rename #2 as Call Bob", title(2, "Call Bob")),
        (
            "change task 1 to \"Call mom tonight\"",
            title(1, "Call mom tonight"),
        ),
        (
            "change the title of task 4 to Pay rent",
            title(4, "Pay rent"),
        ),
        ("update task 4 title to Pay rent", title(4, "Pay rent")),
        ("edit task 3: new title", title(3, "New title")),
        ("please change task 1 to 'Call mom'", title(1, "Call mom")),
        ("update task 9 to Buy 2 cakes", title(9, "Buy 2 cakes")),
        ("change task 1 to 2 to 3", title(1, "2 to 3")),
        ("set task 3 title to Plan trip", title(3, "Plan trip")),
        ("rename task 3 to done", title(3, "Done")),
        (
            "change the description of task 3 to bring snacks",
            describe(3, "bring snacks"),
        ),
        (
            "update task 3 description to Bring Snacks",
            describe(3, "Bring Snacks"),
        ),
        (
            "set task 3 description to near the station",
            describe(3, "near the station"),
        ),
        (
            "set the notes of task 2 to call first",
            describe(2, "call first"),
        ),
        ("describe task 5 as a long one", describe(5, "a long one")),
        (
            "change task 3's description to ask for Ann",
            describe(3, "ask for Ann"),
        ),
        // Changes that are not plain enough: nothing is done.
        ("rename İİ 1 to x", Unclear),
        ("rename ȺȺ 1 to x", Unclear),
        ("edit İ task 1 to é", Unclear),
        ("change the meeting task to lunch", Unclear),
        ("change the 66 gym memberships to 67", Unclear),
        ("set task 3 to tomorrow", Unclear),
        ("update task 3", Unclear),
        ("rename task 3", Unclear),
        ("change task 3 to", Unclear),
        ("delete task 3 and 4", Unclear),
        ("delete task 3 gym", Unclear),
        ("drop 69 parcels", Unclear),
        ("delete it", Unclear),
        ("delete all my tasks", Unclear),
        ("remove everything", Unclear),
        ("delete", Unclear),
        ("complete", Unclear),
        ("mark task 3", Unclear),
        ("mark task 3 as important", Unclear),
        ("done", Unclear),
        // Reopening: no tool can, so the assistant says so.
        ("reopen task 3", Reopen),
        ("mark task 3 as not done", Reopen),
        ("mark task 3 as incomplete", Reopen),
        ("mark 3 as pending", Reopen),
        ("undo task 3", Reopen),
        ("change task 3 to not done", Reopen),
        // Verbs inside other words, and verbs that do not lead: never a change.
        ("the market is closed", Unknown),
        ("abandoned", Unknown),
        ("credit score", Unknown),
        ("I cancelled my gym", Unknown),
        ("my gym membership is done at 67", Unknown),
        ("I finished task 3", Unknown),
        ("remarkable day", Unknown),
        ("cancellation 66", Unknown),
        ("deleted 3", Unknown),
        ("the 66 gym memberships", Unknown),
        ("at 67", Unknown),
        ("70 eraser refills", Unknown),
        ("71 euros to dollars", Unknown),
        ("3", Unknown),
        ("#3", Unknown),
        // Greetings, thanks, and everything else.
        ("Hello!", Greeting),
        ("hi", Greeting),
        ("hey there", Greeting),
        ("good morning", Greeting),
        ("help", Greeting),
        ("What can you do?", Greeting),
        ("thanks", Thanks),
        ("Thank you!", Thanks),
        ("ok", Thanks),
        ("cool", Thanks),
        ("What's the weather like?", Unknown),
        ("What's the weather in Paris?", Unknown),
        ("tell me a joke", Unknown),
        ("yes", Unknown),
        ("no", Unknown),
        ("", Unknown),
        ("   ", Unknown),
        ("...", Unknown),
        ("🙂", Unknown),
        // Other languages: never a change; an add only behind an English add phrase.
        ("Lösche Aufgabe 3", Unknown),
        ("Supprimer la tâche 3", Unknown),
        ("Elimina la tarea 3", Unknown),
        ("Marcar tarea 3 como hecha", Unknown),
        ("タスク3を削除", Unknown),
        ("删除任务 3", Unknown),
        ("удалить задачу 3", Unknown),
        ("حذف المهمة 3", Unknown),
        ("Görev 3'ü sil", Unknown),
        ("add Çağrı’yı ara", add("Çağrı’yı ara")),
        ("add купить молоко", add("купить молоко")),
        ("add 牛乳を買う", add("牛乳を買う")),
        ("add اشتر الحليب", add("اشتر الحليب")),
        // Unicode whose lowercase has another length: cut from the text as typed.
        ("add task ß", add("ß")),
        ("add task ﬁ", add("ﬁ")),
        ("add tasK milk", add("Milk")),
        ("add a tasK to x", add("X")),
        ("ADD TASK İstanbul", add("İstanbul")),
        ("add İİ 1 to x", add("İİ 1 to x")),
        ("add ȺȺ", add("ȺȺ")),
        ("add e\u{301}clair", add("E\u{301}clair")),
        ("add 🚀 launch", add("🚀 launch")),
        ("add\u{a0}milk", add("Milk")),
        ("İİ delete task 1", Unknown),
        ("delete task ﬁ 1", delete_named("ﬁ 1")),
        // A count of tasks is not a task number: nothing is done.
        ("Delete 5 tasks", Unclear),
        ("delete 5 tasks", Unclear),
        ("complete 3 tasks", Unclear),
        ("close 2 tasks", Unclear),
        ("Delete 1 task", Unclear),
        ("complete 1 task", Unclear),
        ("remove 3 items", Unclear),
        ("delete 2 things", Unclear),
        ("delete 4 todos", Unclear),
        ("delete the 5 tasks", Unclear),
        ("delete 2 of my tasks", Unclear),
        ("finish 2 of them", Unclear),
        ("mark 3 tasks as done", Unclear),
        ("mark 2 items done", Unclear),
        ("change 2 tasks to done", Unclear),
        ("please delete 10 tasks", Unclear),
        ("delete #5 tasks", Unclear),
        ("delete task 5", Delete(5)),
        ("delete #5", Delete(5)),
        ("delete 5", Delete(5)),
        ("delete task 5, please", Delete(5)),
        ("complete 1", Complete(1)),
        // A number with a sign or symbol is not a task number: nothing is done.
        ("delete task -1", Unclear),
        ("delete task +372", Unclear),
        ("delete task ~374", Unclear),
        ("delete task (373)", Unclear),
        ("delete -1", Unclear),
        ("delete +372", Unclear),
        ("delete #-3", Unclear),
        ("delete task 3.5", Unclear),
        ("delete task 5%", Unclear),
        ("delete task 0", Unclear),
        ("delete task 1,000", Unclear),
        ("delete task 99999999999999999999", Unclear),
        ("complete task -2", Unclear),
        ("mark task -3 as done", Unclear),
        ("rename task -1 to x", Unclear),
        ("change task (4) to 'x'", Unclear),
        ("update task +2 description to y", Unclear),
        ("delete the 10am call", delete_named("10am call")),
        // A quoted new text is a title, even a state word; unquoted after
        // change/update/set, a state word is the state.
        ("Change task 371 to 'done'", title(371, "Done")),
        ("change task 371 to \"done\"", title(371, "Done")),
        ("change task 371 to “done”", title(371, "Done")),
        ("update task 2 to 'complete'", title(2, "Complete")),
        ("edit task 4 to 'finished'", title(4, "Finished")),
        ("change task 3 to 'not done'", title(3, "Not done")),
        ("change the title of task 3 to done", title(3, "Done")),
        ("set task 3 title to 'done'", title(3, "Done")),
        ("change task 371 to done", Complete(371)),
        ("set task 3 to done", Complete(3)),
        ("set task 3 to complete", Complete(3)),
        ("set task 3 to not done", Reopen),
        ("set task 3 to 'done'", Unclear),
        ("mark task 3 as 'done'", Complete(3)),
        // A bare request asked as a question is confirmed first; a polite
        // "can you …?" is a request.
        ("delete task 18?", ConfirmDelete(18)),
        ("so, delete task 19?", ConfirmDelete(19)),
        ("Delete #18?", ConfirmDelete(18)),
        ("delete 18??", ConfirmDelete(18)),
        ("delete task 18?!", ConfirmDelete(18)),
        ("please delete task 18?", ConfirmDelete(18)),
        ("remove task 7?", ConfirmDelete(7)),
        ("complete task 4?", ConfirmComplete(4)),
        ("mark task 4 as done?", ConfirmComplete(4)),
        ("change task 5 to done?", ConfirmComplete(5)),
        ("rename task 2 to Walk the dog?", Unclear),
        ("update task 3 description to call first?", Unclear),
        ("delete the gym task?", delete_named("gym")),
        ("delete 5 tasks?", Unclear),
        ("reopen task 3?", Reopen),
        ("can you delete task 3?", Delete(3)),
        ("could you complete task 3?", Complete(3)),
        ("would you remove #4?", Delete(4)),
        ("will you mark task 2 as done?", Complete(2)),
        (
            "Can you rename task 2 to Walk the dog?",
            title(2, "Walk the dog"),
        ),
        ("delete task 18", Delete(18)),
        ("delete task 18.", Delete(18)),
        ("should I delete task 3?", Unknown),
        ("can I delete task 3?", Unknown),
    ]
}

#[test]
fn every_sentence_of_the_corpus_is_read_as_expected() {
    let corpus = corpus();
    assert!(
        corpus.len() >= 200,
        "the corpus has {} sentences",
        corpus.len()
    );
    let wrong: Vec<String> = corpus
        .iter()
        .filter_map(|(sentence, expected)| {
            let got = Intent::parse(sentence, None);
            (got != *expected).then(|| format!("{sentence:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

fn ask_again(question: &str) -> Intent {
    Intent::AskAgain(question.into())
}

/// Answers to the assistant's previous message: (what it asked, the answer, what that means).
fn follow_ups() -> Vec<(String, &'static str, Intent)> {
    let delete_66 = format!("{CONFIRM_DELETE}66 “Gym”? Reply yes or no.");
    let complete_7 = format!("{CONFIRM_COMPLETE}7 “Report” as complete? Reply yes or no.");
    let which_delete = format!(
        "{ASK_DELETE} Several tasks match \"gym\":\n\n- #3 Gym\n- #4 Gym bag\n\nReply with its number."
    );
    let which_complete = format!(
        "{ASK_COMPLETE} Several tasks match \"report\":\n\n- #7 Report\n- #8 Report draft\n\nReply with its number."
    );
    // A question that listed no task: no number can answer it.
    let which_unlisted = format!("{ASK_COMPLETE} Several tasks match \"report\".");
    let listed = "Here are your tasks:\n\n- #3 Gym".to_owned();
    vec![
        (delete_66.clone(), "yes", Delete(66)),
        (delete_66.clone(), "Yes please", Delete(66)),
        (delete_66.clone(), "sure", Delete(66)),
        (delete_66.clone(), "do it", Delete(66)),
        (delete_66.clone(), "yes, go ahead", Delete(66)),
        (delete_66.clone(), "y", Delete(66)),
        (delete_66.clone(), "go ahead", Delete(66)),
        (delete_66.clone(), "yes delete it", Delete(66)),
        (delete_66.clone(), "yes, remove it please", Delete(66)),
        (delete_66.clone(), "ok, do it", Delete(66)),
        (delete_66.clone(), "yes thanks", Delete(66)),
        (delete_66.clone(), "sure thing", Delete(66)),
        // An acknowledgement is not a yes: the question is asked again.
        (delete_66.clone(), "ok", ask_again(&delete_66)),
        (delete_66.clone(), "okay", ask_again(&delete_66)),
        (delete_66.clone(), "ok, thanks", ask_again(&delete_66)),
        (delete_66.clone(), "ok thanks", ask_again(&delete_66)),
        (delete_66.clone(), "thanks", ask_again(&delete_66)),
        (delete_66.clone(), "thank you", ask_again(&delete_66)),
        (delete_66.clone(), "ok cool", ask_again(&delete_66)),
        (delete_66.clone(), "cool", ask_again(&delete_66)),
        (delete_66.clone(), "great, thanks", ask_again(&delete_66)),
        (delete_66.clone(), "no thanks", Intent::Declined),
        (delete_66.clone(), "no, delete it", Intent::Declined),
        (delete_66.clone(), "yes complete it", Unknown),
        (complete_7.clone(), "ok thanks", ask_again(&complete_7)),
        (complete_7.clone(), "yes, mark it as done", Complete(7)),
        (delete_66.clone(), "no", Intent::Declined),
        (delete_66.clone(), "no thanks", Intent::Declined),
        (delete_66.clone(), "don't", Intent::Declined),
        (delete_66.clone(), "cancel", Intent::Declined),
        (delete_66.clone(), "yes delete task 3", Unknown),
        (delete_66.clone(), "what's pending?", PENDING),
        (delete_66.clone(), "add a task to say yes", add("Say yes")),
        (delete_66.clone(), "ja", Unknown),
        (delete_66, "66", Unknown),
        (complete_7.clone(), "yes", Complete(7)),
        (complete_7, "nope", Intent::Declined),
        (which_delete.clone(), "3", Delete(3)),
        (which_delete.clone(), "#4", Delete(4)),
        (which_delete.clone(), "task 4", Delete(4)),
        (which_delete.clone(), "number 4 please", Delete(4)),
        (which_delete.clone(), "no", Intent::Declined),
        (which_delete.clone(), "delete 3", Delete(3)),
        // Only a task the question listed, and never after a no.
        (which_delete.clone(), "3 and 4", Unclear),
        (which_delete.clone(), "40", Unclear),
        (which_delete.clone(), "task 40", Unclear),
        (which_delete.clone(), "delete 40", Unclear),
        (which_delete.clone(), "no, 40", Unclear),
        (which_delete.clone(), "no 3", Unclear),
        (which_delete.clone(), "nope, 4", Unclear),
        (which_delete.clone(), "cancel 3", Unclear),
        (which_delete.clone(), "-4", Unclear),
        (which_delete.clone(), "+3", Unclear),
        (which_delete.clone(), "(3)", Unclear),
        (which_delete.clone(), "3.5", Unclear),
        (which_delete.clone(), "3 tasks", Unclear),
        (which_delete.clone(), "nope", Intent::Declined),
        (which_delete.clone(), "what's pending?", PENDING),
        (which_delete.clone(), "yes", Unknown),
        (which_delete, "the gym one", Unknown),
        (which_complete.clone(), "7", Complete(7)),
        (which_complete.clone(), "2", Unclear),
        (which_complete.clone(), "no, 7", Unclear),
        (which_unlisted, "2", Unclear),
        (listed.clone(), "yes", Unknown),
        (listed, "3", Unknown),
    ]
}

#[test]
fn every_answer_to_a_question_is_read_as_expected() {
    let wrong: Vec<String> = follow_ups()
        .iter()
        .filter_map(|(asked, sentence, expected)| {
            let got = Intent::parse(sentence, Some(asked));
            (got != *expected).then(|| {
                format!("{sentence:?} after {asked:?}: expected {expected:?}, got {got:?}")
            })
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
